"""Hostile values and the check every answer to them must pass: never a 5xx, errors in JSON."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from interfaces.http.cursors import CursorSeal
from tests.conftest import test_settings

MIB = 1024 * 1024

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: valid in a JSON escape, not encodable as UTF-8
    "x\udfffy",
    "\u202eevil",
    "\ufeff",
    "\r\n\t\x0b\x0c\x1b[31m",
    "%_\\'\"; DROP TABLE users; --",
    "😀" * 60,
    "x" * 201,
    "y" * 100_001,
    "z" * 300_000,
    "9" * 5000,
    "2026-11-24T10:00:00Z",
    "true",
    "null",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**200),
    st.integers(min_value=-(2**200), max_value=-1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(NASTY_STRINGS),
)
# Surrogates, controls, format characters, separators, symbols: what a careless encoder chokes on.
weird_text = st.text(
    alphabet=st.characters(categories=["Cs", "Cc", "Cf", "Zs", "Zl", "Zp", "So", "Lo", "Mn"]),
    min_size=1,
    max_size=12,
)


def hostile_settings(max_examples: int) -> settings:
    """Generated inputs against the app's fixtures, without shrinking: a failure reports the
    input as found, and the file stays within its time."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def strings(*plausible: str | st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Plausible values, the same spoiled by a weird character somewhere, and nasty strings."""
    base = st.one_of(*(p if isinstance(p, st.SearchStrategy) else st.just(p) for p in plausible))
    spoiled = st.builds(
        lambda text, junk, at: text[:at] + junk + text[at:],
        base,
        weird_text | st.sampled_from(NASTY_STRINGS[:10]),
        st.integers(min_value=0, max_value=40),
    )
    return st.one_of(base, spoiled, spoiled, st.sampled_from(NASTY_STRINGS), st.text(max_size=40))


json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def deep(depth: int, leaf: str = "1") -> str:
    """A JSON text nested `depth` levels deep, alternating arrays and objects."""
    opening = "".join("[" if i % 2 else '{"k":' for i in range(depth))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(depth)))
    return opening + leaf + closing


def bodies(fields: dict[str, Any]) -> st.SearchStrategy[str]:
    """JSON texts for an endpoint: its fields, well or ill typed, extra keys, any value, nesting."""
    values = {name: st.one_of(good, good, json_values) for name, good in fields.items()}
    every = st.fixed_dictionaries(values)
    some = st.fixed_dictionaries({}, optional=values)
    extras = st.dictionaries(st.text(max_size=12), json_values, min_size=1, max_size=3)
    objects = st.one_of(every, every, some, st.builds(lambda a, b: {**b, **a}, some, extras))
    as_text = st.builds(
        lambda value, ascii_only: json.dumps(value, allow_nan=True, ensure_ascii=ascii_only),
        st.one_of(objects, json_values),
        st.booleans(),
    )
    nested = st.builds(
        lambda name, depth: f'{{"{name}": {deep(depth)}}}',
        st.sampled_from(sorted(fields) or ["k"]),
        st.sampled_from([50, 900, 5000, 200_000]),
    )
    return st.one_of(
        as_text, nested, st.sampled_from([deep(100_000), "[" * 300_000, "{" * 300_000])
    )


def encode(text: str) -> bytes:
    """UTF-8 where possible; a lone surrogate goes out as the (invalid) bytes it would be."""
    return text.encode("utf-8", "surrogatepass")


def assert_handled(response: TestResponse, what: object = "") -> None:
    """Never a 5xx; every error is the JSON error shape of docs/API.md."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, body[:300], str(what)[:300])
    if response.status_code >= 400:
        assert response.mimetype == "application/json", (response.status_code, body[:300])
        error = response.get_json()
        assert isinstance(error, dict), body[:300]
        assert isinstance(error.get("message"), str) and isinstance(error.get("code"), str)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


TESTS_SEAL = CursorSeal(test_settings().secret_key)


def forged_cursor(stamp: str, ident: str, seal: CursorSeal = TESTS_SEAL) -> str:
    """A position the API never issued, sealed with the app's key as it would seal one, so
    that the forgery itself reaches Cursor.decode (and the database), not only the seal."""
    return seal.seal(b64(f"{stamp}|{ident}".encode("utf-8", "surrogatepass")))


numbers_as_text = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**63 - 2, max_value=2**70).map(str),
    st.sampled_from(
        ["0", "-1", "1e3", "1.5", " 5", "5 ", "+5", "0x10", "\u0665", "\uff11", "00001", "", "NaN"]
    ),
)
cursors = st.one_of(
    st.builds(
        forged_cursor,
        st.one_of(
            st.datetimes(timezones=st.timezones() | st.none()).map(lambda d: d.isoformat()),
            st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "now"]),
            st.text(max_size=20),
        ),
        st.one_of(numbers_as_text, st.text(max_size=10)),
    ),
    st.binary(max_size=60).map(b64),
    st.text(max_size=60),
    st.sampled_from(["A" * 10_000, "====", "%%", b64(b"|"), b64(b"\\xff\\xfe|1")]),
)
query_values = st.one_of(
    numbers_as_text,
    cursors,
    st.sampled_from(["true", "false", "True", "1", "yes", "null"]),
    strings("hello", "A title"),
)
QUERY_NAMES = [
    "page", "per_page", "cursor", "search", "author_id", "published",
    "tag", "author", "favorited_by",
]  # fmt: skip


def percent(text: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate becomes the invalid bytes it would be."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def query_strings(names: list[str]) -> st.SearchStrategy[str]:
    """Query strings of known and unknown names with hostile values, repeats and raw bytes."""
    pair = st.tuples(st.sampled_from(names) | st.text(max_size=10), query_values)
    encoded = st.lists(pair, max_size=5).map(
        lambda pairs: "&".join(f"{percent(k)}={percent(v)}" for k, v in pairs)
    )
    raw_bytes = st.binary(max_size=80).map(lambda raw: quote(raw, safe="=&"))
    return st.one_of(encoded, encoded, raw_bytes, st.sampled_from(["&&&", "=", "page", "%", "%zz"]))
