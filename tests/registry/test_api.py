import hashlib

import pytest

from parkbrain.registry import services
from parkbrain.registry.models import AboveScaleYear, Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client, demo):
    client.force_login(demo.user("analyst"))
    return client


def test_enterprise_fields(client, demo):
    gear = demo.firms["gear"]
    _token, raw = services.issue_api_token(gear, "mes")
    body = client.get(f"/api/enterprises/{gear.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["credit_code"] == gear.credit_code
    assert body["industry_code"] == "3453"
    assert body["industry"] == "equipment"
    assert body["settled_on"] == "2015-11-16"
    assert body["park"] == "智能装备产业园"
    assert body["tags"] == sorted(body["tags"]) and "little-giant" in body["tags"]
    assert body["above_scale_years"] == sorted(
        AboveScaleYear.objects.filter(enterprise=gear).values_list("year", flat=True)
    )
    assert body["registered_capital_yuan"] == "800000000.00"


def test_list_uses_the_same_filters_as_the_page(analyst, demo):
    body = analyst.get(
        "/api/enterprises", {"industry": "materials", "above_scale": "yes", "year": 2023}
    ).json()
    expected = Enterprise.objects.filter(
        zone=demo.zone, industry__slug="materials", above_scale_years__year=2023
    )
    assert body["count"] == expected.count() > 0
    assert {item["id"] for item in body["items"]} <= set(expected.values_list("id", flat=True))


def test_list_search_and_sort(analyst, demo):
    body = analyst.get("/api/enterprises", {"q": "钴源"}).json()
    assert [item["name"] for item in body["items"]] == [demo.firms["cobalt"].name]
    body = analyst.get("/api/enterprises", {"sort": "-land"}).json()
    lands = [float(item["land_area_mu"]) for item in body["items"]]
    assert lands == sorted(lands, reverse=True)


def test_list_pages_hold_fifty_and_cover_every_enterprise_once(analyst, demo):
    expected = set(Enterprise.objects.filter(zone=demo.zone).values_list("id", flat=True))
    seen: list[int] = []
    page = 1
    while True:
        body = analyst.get("/api/enterprises", {"page": page, "sort": "land"}).json()
        assert body["count"] == len(expected)
        assert len(body["items"]) == min(50, len(expected) - len(seen))
        seen += [item["id"] for item in body["items"]]
        if len(seen) >= body["count"]:
            break
        page += 1
    assert page > 1
    assert sorted(seen) == sorted(expected)


def test_bad_filter_values_name_the_field(analyst, demo):
    response = analyst.get("/api/enterprises", {"park": 987654})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == "park"
    response = analyst.get("/api/enterprises", {"above_scale": "maybe"})
    assert response.status_code == 422


def test_list_query_count_is_bounded(analyst, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        analyst.get("/api/enterprises")


def test_parks_carry_their_outlines(analyst, demo):
    parks = analyst.get("/api/parks").json()
    assert len(parks) == 9
    centre = next(p for p in parks if p["name"] == "新能源汽车智造中心")
    assert centre["kind"] == "centre"
    assert centre["outline"]["type"] == "Polygon"
    assert centre["located_in_id"] == next(p["id"] for p in parks if p["name"] == "智能装备产业园")


def test_industries_list_their_codes(analyst, demo):
    industries = {i["slug"]: i for i in analyst.get("/api/industries").json()}
    assert industries["equipment"]["codes"] == ["34", "35", "36", "37", "38", "40"]
    assert industries["services"]["name"] == "现代服务业"


def test_openapi_document_describes_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/enterprises",
        "/api/enterprises/{enterprise_id}",
        "/api/parks",
        "/api/industries",
    } <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/enterprises"]["get"]["parameters"]}
    assert {"q", "park", "industry", "above_scale", "year", "tag", "sort", "page"} <= parameters
    assert "TokenAuth" in schema["components"]["securitySchemes"]
    assert client.get("/api/docs").status_code == 200


def test_revoked_or_unknown_tokens_are_refused(client, demo):
    token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    assert client.get("/api/enterprises", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    services.revoke_api_token(token)
    assert client.get("/api/enterprises", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/enterprises", HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401


def test_tokens_are_stored_only_as_digests(demo):
    token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.digest, token.prefix, token.name)
    assert services.authenticate_token(raw) == token


def test_token_use_is_recorded(client, demo):
    token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at is not None
