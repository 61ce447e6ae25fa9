import json

import pytest
from django.conf import settings
from django.utils import timezone

from parkbrain.reporting.models import MonthlyReport, ReportRevision
from parkbrain.reporting.periods import last_complete_month

pytestmark = pytest.mark.django_db


def _put(client, path, body, **headers):
    return client.put(path, data=json.dumps(body), content_type="application/json", **headers)


def test_put_creates_then_repeats_without_change(client, demo, gear_token):
    gear = demo.firms["gear"]
    path = f"/api/reports/{gear.credit_code}/2026-03"
    body = {"values": {"output_value": 1_500_000, "electricity": "82,000"}}
    first = _put(client, path, body, **gear_token)
    assert first.status_code == 201
    assert first.json()["report"]["values"] == {
        "output_value": "1500000.0000",
        "electricity": "82000.0000",
    }
    assert first.json()["changed_values"] == 2
    again = _put(client, path, body, **gear_token)
    assert again.status_code == 200
    assert again.json()["unchanged"] is True
    assert again.json()["changed_values"] == 0
    assert MonthlyReport.objects.filter(enterprise=gear).count() == 1
    assert ReportRevision.objects.count() == 1


def test_put_with_submit_moves_the_report_to_review(client, demo, gear_token):
    gear = demo.firms["gear"]
    path = f"/api/reports/{gear.credit_code}/2026-03"
    body = {"values": {"output_value": 100}, "submit": True}
    response = _put(client, path, body, **gear_token)
    assert response.json()["report"]["status"] == "submitted"
    assert response.json()["submitted"] is True
    assert _put(client, path, body, **gear_token).json()["unchanged"] is True


def test_bad_values_are_refused_with_every_problem(client, demo, gear_token):
    gear = demo.firms["gear"]
    response = _put(
        client,
        f"/api/reports/{gear.credit_code}/2026-03",
        {"values": {"output_value": "lots", "taxes": -1, "nonsense": 3}},
        HTTP_ACCEPT_LANGUAGE="en",
        **gear_token,
    )
    assert response.status_code == 400
    columns = sorted(e["column"] for e in response.json()["errors"])
    assert columns == ["nonsense", "output_value", "taxes"]
    assert not MonthlyReport.objects.exists()


def test_token_cannot_touch_another_enterprise(client, demo, gear_token):
    from parkbrain.reporting.services import save_reports
    from parkbrain.reporting.validation import IncomingRow

    ev = demo.firms["ev"]
    save_reports(
        [IncomingRow(ev.credit_code, 2026, 2, {"output_value": 7})], demo.user("analyst"), "form"
    )
    path = f"/api/reports/{ev.credit_code}/2026-02"
    assert _put(client, path, {"values": {"output_value": 8}}, **gear_token).status_code == 404
    assert client.get(path, **gear_token).status_code == 404
    assert MonthlyReport.objects.get(enterprise=ev).values.get().value == 7
    client.force_login(demo.user("analyst"))
    assert client.get(path).json()["values"] == {"output_value": "7.0000"}


def test_list_shows_only_the_callers_reports(client, demo, gear_token):
    from parkbrain.reporting.services import save_reports
    from parkbrain.reporting.validation import IncomingRow

    for firm in (demo.firms["gear"], demo.firms["ev"]):
        save_reports(
            [IncomingRow(firm.credit_code, 2026, 2, {"output_value": 9})],
            demo.user("analyst"),
            "form",
        )
    body = client.get("/api/reports", **gear_token).json()
    assert [item["credit_code"] for item in body["items"]] == [demo.firms["gear"].credit_code]
    client.force_login(demo.user("analyst"))
    assert client.get("/api/reports").json()["count"] == 2


def test_indicator_catalogue(client, gear_token):
    catalogue = {i["code"]: i for i in client.get("/api/indicators", **gear_token).json()}
    assert catalogue["output_value"]["basis"] == "cumulative"
    assert catalogue["employees"]["basis"] == "monthly"
    assert catalogue["energy_tce"]["derived"] is True
    assert catalogue["total_profit"]["may_be_negative"] is True
    assert len(catalogue) == 16


def test_session_writes_need_the_csrf_token(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo.user("gear"))
    path = f"/api/reports/{demo.firms['gear'].credit_code}/2026-03"
    assert _put(strict, path, {"values": {"output_value": 1}}).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_a_body_over_the_upload_limit_gets_a_json_413(client, demo, gear_token):
    year, month = last_complete_month(timezone.localdate())
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.put(
        f"/api/reports/{demo.firms['gear'].credit_code}/{year}-{month:02d}",
        data=json.dumps({"values": {"output_value": 5}, "note": padding}),
        content_type="application/json",
        **gear_token,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "invalid request",
        "errors": [{"field": "body", "reason": "请求体超过 API 可接受的上限（2.5 MB）。"}],
    }
    assert not MonthlyReport.objects.exists()
