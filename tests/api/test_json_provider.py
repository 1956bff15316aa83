"""Answers encoded by orjson read back exactly as Flask's own encoder would have written them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, jsonify

from interfaces.http.converter import converter
from interfaces.http.json_provider import OrjsonProvider


def answer(value: Any, *, debug: bool = False) -> tuple[bytes, str]:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.debug = debug

    @app.get("/")
    def show() -> Any:
        return value

    response = app.test_client().get("/")
    assert response.status_code == 200
    return response.data, response.mimetype


@pytest.mark.parametrize(
    "value",
    [
        {"z": 1, "a": [True, None, 1.5], "é": "ünïcødé ✓", "nested": {"k": '\n\t"\\'}},
        [1, 2**63 - 1, -(2**63)],
        {"big": 2**70},  # past orjson's 64 bits: Flask's encoder takes over
        {"surrogate": "\ud800"},  # orjson refuses it: Flask's encoder escapes it
    ],
)
def test_the_body_is_the_same_json_in_the_same_key_order(value: Any) -> None:
    body, mimetype = answer(value)
    assert mimetype == "application/json"
    assert body.endswith(b"\n")
    assert json.loads(body) == value
    if isinstance(value, dict):
        assert list(json.loads(body)) == list(value)


def test_debug_answers_stay_indented_for_people() -> None:
    body, _ = answer({"a": 1}, debug=True)
    assert body == b'{\n  "a": 1\n}\n'


WHEN = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "written"),
    [
        (WHEN, "2026-11-24T10:00:00.123456Z"),
        (WHEN.replace(microsecond=0), "2026-11-24T10:00:00Z"),
        (WHEN.astimezone(timezone(timedelta(hours=-5))), "2026-11-24T10:00:00.123456Z"),
        (WHEN.replace(tzinfo=None), "2026-11-24T10:00:00.123456Z"),  # naive: taken as UTC
    ],
)
@pytest.mark.parametrize(
    "extra",
    [{}, {"big": 2**70}],  # the second goes through Flask's encoder, which must agree
    ids=["orjson", "fallback"],
)
def test_datetimes_are_rfc_3339_in_utc_whichever_encoder_writes_them(
    when: datetime, written: str, extra: dict[str, Any]
) -> None:
    body, _ = answer({"at": converter.unstructure(when), **extra})  # as entities are rendered
    assert json.loads(body)["at"] == written


def test_debug_answers_write_datetimes_the_same_way() -> None:
    body, _ = answer({"at": WHEN}, debug=True)
    assert json.loads(body)["at"] == "2026-11-24T10:00:00.123456Z"


@pytest.mark.parametrize(
    ("args", "kwargs", "written"),
    [
        ((), {}, None),
        (({"a": 1},), {}, {"a": 1}),
        ((1, "two", None), {}, [1, "two", None]),
        ((), {"a": 1, "b": [2]}, {"a": 1, "b": [2]}),
    ],
)
@pytest.mark.parametrize("debug", [False, True], ids=["orjson", "debug"])
def test_jsonify_keeps_flasks_argument_rule(
    args: tuple[Any, ...], kwargs: dict[str, Any], written: Any, debug: bool
) -> None:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.debug = debug
    with app.app_context():
        response = jsonify(*args, **kwargs)
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == written


def test_jsonify_refuses_positional_and_keyword_arguments_together() -> None:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    with app.app_context(), pytest.raises(TypeError):
        jsonify(1, a=2)
