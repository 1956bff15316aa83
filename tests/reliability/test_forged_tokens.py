"""Forged, tampered, misused and replayed tokens are 401, and none passes an ownership check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from domain.users import Role
from interfaces.container import Container
from tests.conftest import SignedIn
from tests.factories import PASSWORD, FixedClock

UNAUTHORIZED = {"token_invalid", "token_expired", "token_revoked", "not_authenticated"}


class Scene:
    """An attacker with real tokens of their own, a victim with a post, and an admin."""

    def __init__(
        self,
        client: FlaskClient,
        auth: Callable[..., SignedIn],
        container: Container,
        clock: FixedClock,
    ) -> None:
        self.client, self.clock = client, clock
        self.key: str = container.config.jwt_secret_key()
        self.attacker, self.victim, self.admin = auth(), auth(), auth(Role.ADMIN)
        post = client.post(
            "/api/v1/posts",
            json={"title": "mine", "content": "c", "published": False},
            headers=self.victim.headers,
        )
        assert post.status_code == 201
        self.post_id: int = post.json["id"]

    def claims(self, token: str | None = None) -> dict[str, Any]:
        decoded: dict[str, Any] = jwt.decode(
            token or self.attacker.access_token, options={"verify_signature": False}
        )
        return decoded

    def signed(self, changes: dict[str, Any], drop: tuple[str, ...] = ()) -> str:
        """The attacker's access claims changed, signed with the server's real key and alg."""
        claims = {**self.claims(), **changes}
        for name in drop:
            claims.pop(name)
        return jwt.encode(claims, self.key, algorithm="HS256")

    def log_in_again(self) -> dict[str, Any]:
        email = self.attacker.user["email"]
        response = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 200
        return response.json  # type: ignore[no-any-return]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def hand_made(
    header: dict[str, Any], claims: dict[str, Any], key: bytes | None, digest: Any = None
) -> str:
    """A JWT assembled by hand: any header, any signature (HMAC with `key`, or none)."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = (
        b""
        if key is None
        else hmac.new(key, signing_input.encode(), digest or hashlib.sha256).digest()
    )
    return f"{signing_input}.{b64url(signature)}"


def tampered(token: str, changes: dict[str, Any]) -> str:
    """A real token whose payload is changed but whose signature is kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{segment({**claims, **changes})}.{signature}"


def as_victim(s: Scene) -> dict[str, Any]:
    return {"sub": str(s.victim.id)}


def _flip_first_signature_char(token: str) -> str:
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"


def _deleted_user(s: Scene) -> str:
    assert (
        s.client.delete(f"/api/v1/users/{s.attacker.id}", headers=s.admin.headers).status_code
        == 204
    )
    return s.attacker.access_token


def _deactivated_user(s: Scene) -> str:
    response = s.client.patch(
        f"/api/v1/users/{s.attacker.id}", json={"is_active": False}, headers=s.admin.headers
    )
    assert response.status_code == 200
    return s.attacker.access_token


def _refresh_after_logout(s: Scene) -> str:
    assert s.client.post("/api/v1/auth/logout", headers=s.attacker.headers).status_code == 200
    return s.attacker.refresh_token


def _access_after_logout(s: Scene) -> str:
    assert s.client.post("/api/v1/auth/logout", headers=s.attacker.headers).status_code == 200
    return s.attacker.access_token


def _rotated_refresh_replayed(s: Scene) -> str:
    assert (
        s.client.post("/api/v1/auth/refresh", headers=s.attacker.refresh_headers).status_code == 200
    )
    return s.attacker.refresh_token


def _new_pair_after_replay(s: Scene) -> str:
    """Theft detection: the thief's replay ends the session, the fresh pair with it."""
    fresh = s.client.post("/api/v1/auth/refresh", headers=s.attacker.refresh_headers)
    assert fresh.status_code == 200
    s.client.post("/api/v1/auth/refresh", headers=s.attacker.refresh_headers)
    return str(fresh.json["access_token"])


def _other_session_after_password_change(s: Scene) -> str:
    other = s.log_in_again()
    response = s.client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "Brand-New-Pass-1"},
        headers=s.attacker.headers,
    )
    assert response.status_code == 204
    return str(other["refresh_token"])


def _expired(s: Scene) -> str:
    s.clock.advance(minutes=15, seconds=1)
    return s.attacker.access_token


def _victims_session_with_attackers_subject(s: Scene) -> str:
    victim_sid = s.claims(s.victim.access_token)["sid"]
    return s.signed({"sid": victim_sid})


FORGERIES: dict[str, Callable[[Scene], str]] = {
    # Signature and algorithm games
    "alg none, victim's sub": lambda s: hand_made(
        {"alg": "none", "typ": "JWT"}, {**s.claims(), **as_victim(s)}, None
    ),
    "alg None, own claims": lambda s: hand_made({"alg": "None"}, s.claims(), None),
    "alg none, original signature kept": lambda s: (
        hand_made({"alg": "none"}, s.claims(), None) + s.attacker.access_token.split(".")[2]
    ),
    "HS512 with the server's key": lambda s: hand_made(
        {"alg": "HS512"}, s.claims(), s.key.encode(), hashlib.sha512
    ),
    "HS384 with the server's key": lambda s: hand_made(
        {"alg": "HS384"}, s.claims(), s.key.encode(), hashlib.sha384
    ),
    "RS256 header, HMAC of the server's key": lambda s: hand_made(
        {"alg": "RS256"}, s.claims(), s.key.encode()
    ),
    "RS256 header, random signature": lambda s: hand_made({"alg": "RS256"}, s.claims(), b"random"),
    "ES256 header, victim's sub": lambda s: hand_made(
        {"alg": "ES256"}, {**s.claims(), **as_victim(s)}, b"k"
    ),
    "hs256 in lower case": lambda s: hand_made(
        {"alg": "hs256", "typ": "JWT"}, s.claims(), s.key.encode()
    ),
    "HS256 with a wrong key": lambda s: jwt.encode(
        {**s.claims(), **as_victim(s)}, "guessed-" * 8, algorithm="HS256"
    ),
    "HS256 with an empty key": lambda s: hand_made(
        {"alg": "HS256"}, {**s.claims(), **as_victim(s)}, b""
    ),
    "kid and jku pointing elsewhere": lambda s: hand_made(
        {"alg": "HS256", "kid": "../../dev/null", "jku": "http://evil.example/jwks"},
        {**s.claims(), **as_victim(s)},
        b"",
    ),
    "signature stripped": lambda s: s.attacker.access_token.rsplit(".", 1)[0] + ".",
    "signature missing": lambda s: s.attacker.access_token.rsplit(".", 1)[0],
    "signature altered": lambda s: _flip_first_signature_char(s.attacker.access_token),
    # Tampered payloads with the original signature
    "sub swapped to the victim": lambda s: tampered(s.attacker.access_token, as_victim(s)),
    "sub swapped to the admin": lambda s: tampered(
        s.attacker.access_token, {"sub": str(s.admin.id)}
    ),
    "far-future exp, tampered": lambda s: tampered(s.attacker.access_token, {"exp": 4_102_444_800}),
    "refresh turned into access": lambda s: tampered(s.attacker.refresh_token, {"typ": "access"}),
    # Signed with the real key (as if it leaked): the session still has to agree
    "victim's sub in the attacker's session": lambda s: s.signed(as_victim(s)),
    "admin's sub in the attacker's session": lambda s: s.signed({"sub": str(s.admin.id)}),
    "attacker's sub in the victim's session": _victims_session_with_attackers_subject,
    "sub as an int": lambda s: s.signed({"sub": s.attacker.id}),
    "sub as a float string": lambda s: s.signed({"sub": f"{s.attacker.id}.0"}),
    "sub negative": lambda s: s.signed({"sub": f"-{s.attacker.id}"}),
    "sub zero": lambda s: s.signed({"sub": "0"}),
    "sub beyond 64 bits": lambda s: s.signed({"sub": str(2**64 + s.attacker.id)}),
    "sub with spaces": lambda s: s.signed({"sub": f" {s.attacker.id} "}),
    "sub in fullwidth digits": lambda s: s.signed(
        {"sub": "".join(chr(0xFF10 + int(digit)) for digit in str(s.attacker.id))}
    ),
    "sub as a list": lambda s: s.signed({"sub": [str(s.attacker.id)]}),
    "sid unknown": lambda s: s.signed({"sid": "0" * 32}),
    "sid huge": lambda s: s.signed({"sid": "s" * 10_000}),
    "sid as an object": lambda s: s.signed({"sid": {"$ne": None}}),
    "sid missing": lambda s: s.signed({}, drop=("sid",)),
    "jti missing": lambda s: s.signed({}, drop=("jti",)),
    "typ missing": lambda s: s.signed({}, drop=("typ",)),
    "typ admin": lambda s: s.signed({"typ": "admin"}),
    "exp missing": lambda s: s.signed({}, drop=("exp",)),
    "iat missing": lambda s: s.signed({}, drop=("iat",)),
    "sub missing": lambda s: s.signed({}, drop=("sub",)),
    "exp beyond year 9999": lambda s: s.signed({"exp": 10**20}),
    "exp as a string": lambda s: s.signed({"exp": "4102444800"}),
    "exp as a float": lambda s: s.signed({"exp": 4102444800.5}),
    "exp in the past": lambda s: s.signed({"exp": 1}),
    # Real tokens used where they do not belong, or after their session ended
    "refresh token as an access token": lambda s: s.attacker.refresh_token,
    "expired access token": _expired,
    "token of a deleted user": _deleted_user,
    "token of a deactivated user": _deactivated_user,
    "access token after logout": _access_after_logout,
    "refresh token replayed after logout": _refresh_after_logout,
    "rotated refresh token replayed": _rotated_refresh_replayed,
    "fresh token after a replay ended the session": _new_pair_after_replay,
    "other session's refresh after a password change": _other_session_after_password_change,
    # Not a token at all
    "empty": lambda s: "",
    "three dots": lambda s: "a.b.c",
    "10 KB of text": lambda s: "A" * 10_240,
    "two tokens": lambda s: f"{s.attacker.access_token} {s.admin.access_token}",
    "non-ASCII": lambda s: "t\u00f6ken.\u00e9.\u00e8",
    "JSON instead of a JWT": lambda s: json.dumps(s.claims()),
}
# Where a forgery is in fact a valid credential: a refresh token does refresh.
LEGITIMATE = {"refresh token as an access token": {"refresh"}}


def attempts(s: Scene) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    """What a token is tried on: the caller's own data, someone else's, and admin powers."""
    return {
        "read me": ("GET", "/api/v1/users/me", None),
        "read the victim's draft": ("GET", f"/api/v1/posts/{s.post_id}", None),
        "edit the victim's post": ("PATCH", f"/api/v1/posts/{s.post_id}", {"title": "pwned"}),
        "delete the victim's post": ("DELETE", f"/api/v1/posts/{s.post_id}", None),
        "write a post": ("POST", "/api/v1/posts", {"title": "t", "content": "c"}),
        "list users (admin)": ("GET", "/api/v1/users", None),
        "promote oneself": ("PATCH", f"/api/v1/users/{s.attacker.id}", {"role": "admin"}),
        "take the victim's account": (
            "PATCH",
            f"/api/v1/users/{s.victim.id}",
            {"email": "x@evil.example"},
        ),
        "delete the victim (admin)": ("DELETE", f"/api/v1/users/{s.victim.id}", None),
        "refresh": ("POST", "/api/v1/auth/refresh", None),
        "log out": ("POST", "/api/v1/auth/logout", None),
    }


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_or_replayed_token_is_refused_everywhere_and_changes_nothing(
    client: FlaskClient,
    auth: Callable[..., SignedIn],
    container: Container,
    clock: FixedClock,
    forgery: str,
) -> None:
    scene = Scene(client, auth, container, clock)
    token = FORGERIES[forgery](scene)
    headers = {"Authorization": f"Bearer {token}"}

    let_in = {}
    for name, (method, path, body) in attempts(scene).items():
        if name in LEGITIMATE.get(forgery, ()):
            continue
        response = client.open(path, method=method, json=body, headers=headers)
        code = (response.get_json(silent=True) or {}).get("code")
        if response.status_code != 401 or code not in UNAUTHORIZED:
            let_in[name] = f"{response.status_code} {response.get_data(as_text=True)[:100]}"
    assert let_in == {}

    # The victim looks at the aftermath, logged in anew: a forgery may have moved the clock
    # past their first token. Their account, address, role and draft are as they were.
    clock.now = max(clock.now, scene.clock.now)
    credentials = {"email": scene.victim.user["email"], "password": scene.victim.password}
    login = client.post("/api/v1/auth/login", json=credentials)
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    draft = client.get(f"/api/v1/posts/{scene.post_id}", headers=headers)
    assert draft.status_code == 200 and draft.json["title"] == "mine"
    victim = client.get("/api/v1/users/me", headers=headers).json
    assert victim["email"] == scene.victim.user["email"] and victim["role"] == "user"


def test_claims_added_to_a_valid_token_grant_no_power(
    client: FlaskClient,
    auth: Callable[..., SignedIn],
    container: Container,
    clock: FixedClock,
) -> None:
    """Even signed with the real key, a role claim is ignored: roles come from the database."""
    scene = Scene(client, auth, container, clock)
    token = scene.signed({"role": "admin", "is_admin": True, "scope": "admin"})
    headers = {"Authorization": f"Bearer {token}"}
    expected = {
        "read the victim's draft": 404,
        "edit the victim's post": 404,
        "delete the victim's post": 404,
        "list users (admin)": 403,
        "promote oneself": 403,
        "take the victim's account": 403,
        "delete the victim (admin)": 403,
    }
    table = attempts(scene)
    got = {
        name: client.open(
            table[name][1], method=table[name][0], json=table[name][2], headers=headers
        ).status_code
        for name in expected
    }
    assert got == expected
    me = client.get("/api/v1/users/me", headers=headers).json
    assert me["role"] == "user"
