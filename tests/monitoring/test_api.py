"""The read-only warnings API: scoped like the pages, for people and machine tokens."""

import pytest

from parkbrain.monitoring import services
from parkbrain.monitoring.models import Alert
from parkbrain.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(small):
    services.install_default_rules(small.zone)
    services.evaluate_month(small.zone, 2026, 3)
    return small


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_list_is_scoped(client, evaluated, other_zone):
    assert client.get("/api/warnings").status_code == 401
    _token, raw = registry.issue_api_token(evaluated.firms["C"], "erp")
    body = client.get("/api/warnings", **_bearer(raw)).json()
    assert {item["rule"] for item in body["items"]} == {
        "output_without_energy",
        "taxes_above_revenue",
    }
    assert {item["enterprise_id"] for item in body["items"]} == {evaluated.firms["C"].pk}
    client.force_login(evaluated.users["analyst"])
    assert client.get("/api/warnings").json()["count"] == 6
    critical = client.get("/api/warnings", {"severity": "critical", "state": "all"}).json()
    assert critical["count"] == 2
    bad = client.get("/api/warnings", {"month": "March"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "month"
    client.force_login(other_zone["admin"])
    assert client.get("/api/warnings").json()["count"] == 0


def test_api_detail_of_another_enterprise_is_404(client, evaluated, other_zone):
    taxes = Alert.objects.get(rule__code="taxes_above_revenue")  # firm C's
    services.add_note(taxes, evaluated.users["analyst"], "请企业核对税金口径")
    url = f"/api/warnings/{taxes.pk}"
    _token, raw = registry.issue_api_token(evaluated.firms["A"], "erp")
    assert client.get(url, **_bearer(raw)).status_code == 404
    _token, raw = registry.issue_api_token(other_zone["firm"], "erp")
    assert client.get(url, **_bearer(raw)).status_code == 404
    client.force_login(evaluated.users["admin"])
    body = client.get(url).json()
    # Figures travel as decimal strings, like report values: no float rounding.
    assert (body["measured_value"], body["compared_value"], body["tested_value"]) == (
        "80.000000",
        "50.000000",
        "1.600000",
    )
    assert [e["kind"] for e in body["events"]] == ["raised", "note"]
    assert body["events"][1]["by"] == "analyst"


def test_api_counts_are_the_callers(client, evaluated, other_zone):
    client.force_login(evaluated.users["firm-a"])
    body = client.get("/api/warnings/counts").json()
    assert body == {"open": 2, "acknowledged": 0, "by_severity": {"warning": 2}}
    client.force_login(evaluated.users["analyst"])
    assert client.get("/api/warnings/counts").json()["open"] == 6
    client.force_login(other_zone["admin"])
    assert client.get("/api/warnings/counts").json()["open"] == 0
