"""One operation of the document: its prose and own answers given, the rest implied.

Every operation may answer 500; one that reads the database, 503; one that takes a body, or
takes none but reads what is sent (`empty_body`: see bodies.no_body), 400, 413 and 415;
one that takes a query, 400. A private operation (one that needs a token, or
answers with tokens) says that its own answers are not to be stored.
"""

from __future__ import annotations

from typing import Any

from interfaces.http.bodies import body_required
from interfaces.http.openapi.errors import shared
from interfaces.http.openapi.schemas import Schemas

Schema = dict[str, Any]

PUBLIC: list[Schema] = []
TOKEN = [{"bearerAuth": []}]
ANYBODY = [{}, {"bearerAuth": []}]  # no token, or a valid one
REFRESH = [{"refreshToken": []}]
NO_STORE = {"$ref": "#/components/headers/CacheControlNoStore"}
IF_MATCH = {"$ref": "#/components/parameters/IfMatch"}


def operation(
    schemas: Schemas,
    operation_id: str,
    summary: str,
    tag: str,
    security: list[Schema],
    answers: dict[int, Schema],
    *,
    about: str | None = None,
    errors: tuple[str, ...] = (),
    body: type | None = None,
    empty_body: bool = False,
    query: type | None = None,
    if_match: bool = False,
    database: bool = True,
    private: bool | None = None,
) -> Schema:
    """`answers` are the operation's own; `errors` names the shared answers it may give."""
    spec: Schema = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if about:
        spec["description"] = about
    parameters = [*(schemas.parameters(query) if query else []), *([IF_MATCH] if if_match else [])]
    if parameters:
        spec["parameters"] = parameters
    spec["security"] = security
    if body is not None:
        content = {"application/json": {"schema": schemas.body(body)}}
        spec["requestBody"] = {"required": body_required(body), "content": content}
    reads_body = body is not None or empty_body
    implied = [*implied_errors(reads_body, query is not None, database), *errors]
    if private is None:
        private = security in (TOKEN, REFRESH)
    own = {str(code): not_stored(found) if private else found for code, found in answers.items()}
    spec["responses"] = dict(sorted({**shared(*implied), **own}.items()))
    return spec


def implied_errors(body: bool, query: bool, database: bool) -> list[str]:
    names = ["InternalError"]
    if database:
        names.append("ServiceUnavailable")
    if body:
        names += ["BadRequest", "PayloadTooLarge", "UnsupportedMediaType"]
    if query:
        names.append("InvalidQuery")
    return names


def not_stored(response: Schema) -> Schema:
    """The answer with `Cache-Control: no-store`, which the edge adds to private answers."""
    request_id, *others = response["headers"].items()
    headers = dict([request_id, ("Cache-Control", NO_STORE), *others])
    return {**response, "headers": headers}
