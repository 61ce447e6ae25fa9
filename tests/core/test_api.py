"""What every API endpoint shares: pagination and error answers."""

import pytest

from parkbrain.api import api

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = "9" * 20


def _paginated_paths() -> list[str]:
    """Every GET endpoint that takes a page number, read from the OpenAPI document."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    return sorted(
        path
        for path, methods in schema["paths"].items()
        if any(
            parameter["name"] == "page"
            for parameter in methods.get("get", {}).get("parameters", [])
        )
    )


def test_the_api_has_paginated_endpoints():
    assert "/api/enterprises" in _paginated_paths()


@pytest.mark.parametrize("path", _paginated_paths())
def test_a_page_past_the_last_is_empty_however_large_its_number(client, demo, path):
    client.force_login(demo.user("analyst"))
    first = client.get(path)
    assert first.status_code == 200
    response = client.get(path, {"page": TWENTY_DIGITS})
    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "count": first.json()["count"]}


def test_the_last_page_still_has_its_rows(client, demo):
    client.force_login(demo.user("analyst"))
    count = client.get("/api/enterprises").json()["count"]
    last = -(-count // 50)
    assert len(client.get("/api/enterprises", {"page": last}).json()["items"]) == count - 50 * (
        last - 1
    )
    assert client.get("/api/enterprises", {"page": last + 1}).json()["items"] == []
