"""What Conduit routes answer, as classes: the OpenAPI document is built from them, and
tests/conduit/test_rendered_shapes.py holds the hand-written renderers to exactly these keys."""

from __future__ import annotations

from attrs import frozen


@frozen(kw_only=True)
class User:
    """RealWorld's user, for authentication: the caller, with their token."""

    email: str
    token: str


@frozen(kw_only=True)
class UserEnvelope:
    user: User
