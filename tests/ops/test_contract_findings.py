"""What the schemathesis contract test found, pinned as plain tests."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

TOO_BIG = str(2**63)  # one past the largest id a BIGINT column holds


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("resource", ["users", "posts", "comments"])
def test_an_id_past_64_bits_is_not_found_whatever_the_method(
    client: FlaskClient, method: str, resource: str
) -> None:
    response = getattr(client, method)(f"/api/v1/{resource}/{TOO_BIG}", json={})
    assert response.status_code == 404, response.headers.get("Allow")
    assert response.json is not None and response.json["code"] == "not_found"


def test_the_largest_id_is_still_routed(client: FlaskClient) -> None:
    response = client.delete(f"/api/v1/posts/{2**63 - 1}")
    assert response.status_code == 401  # routed: the handler asks who is calling
