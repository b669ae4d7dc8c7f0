"""The patron site under hostile requests: wrong methods, forged hosts, framing."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_wrong_method_on_a_page_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/cari")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "text/html" in response.content_type


def test_wrong_method_on_the_api_is_405_json_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/stats")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405
