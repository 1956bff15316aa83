"""The OpenAPI 3.1 document, built from the code once per process.

A new field reaches the document by being added to its attrs class: a request body's or query's
schema, and a rendered entity's (the class its `converter.SHAPES` entry names), follow the
classes' fields; a limit is a domain constant that `fields.FIELDS` names for that field.

Bodies and queries become schemas in `schemas.py`, with the limits and prose of `fields.py`;
responses come from `converter.SHAPES`, errors from `errors.py`, the operations from `paths.py`.
Posts and pages are rendered by hand in the converter: a new key goes there too, and
tests/ops/test_rendered_shapes.py fails until it does.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from domain.users import PasswordRules
from interfaces.http.openapi.builder import build


@cache
def document(password_rules: PasswordRules = PasswordRules.COMPOSED) -> dict[str, Any]:
    """The document under a deployment's PASSWORD_RULES; shared, so not to be changed."""
    return build(PasswordRules(password_rules))


@cache
def document_text(password_rules: PasswordRules = PasswordRules.COMPOSED) -> str:
    return json.dumps(document(password_rules), ensure_ascii=False, indent=1)


__all__ = ["document", "document_text"]
