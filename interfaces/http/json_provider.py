"""Flask's JSON answers, encoded by orjson.

orjson writes the same JSON as the standard library's encoder, much faster, datetimes included:
rendered entities hold them, in UTC, and they are written as RFC 3339 with a `Z`. Anything orjson
refuses (an int past 64 bits, a lone surrogate in an echoed key) falls back to Flask's own
encoder, which writes datetimes the same way (not as Flask's HTTP dates), so no answer becomes
a 500.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from interfaces.http.converter import rfc3339

OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def response_object(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What `jsonify(*args, **kwargs)` serialises, by its documented rule: positional or keyword
    arguments, not both; none is null, one is that value, several are a list, keywords a dict."""
    if args and kwargs:
        raise TypeError("app.json.response() takes either args or kwargs, not both")
    if len(args) == 1:
        return args[0]
    if args:
        return list(args)
    return kwargs or None


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False  # the entity's own field order

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        # Our own reference to the app (a weak one, as Flask keeps): its debug flag and its
        # response class, read through public attributes only.
        self.app: Flask = weakref.proxy(app)

    @staticmethod
    def default(o: Any) -> Any:
        """For Flask's encoder (the fallback, and indented answers in debug mode)."""
        if isinstance(o, datetime):
            return rfc3339(o)
        return DefaultJSONProvider.default(o)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if self.app.debug:  # indented for people
            return super().response(*args, **kwargs)
        obj = response_object(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().response(*args, **kwargs)
        return self.app.response_class(body, mimetype=self.mimetype)
