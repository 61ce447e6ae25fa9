"""Pages and actions, each with anonymous, wrong-tenant and right-tenant cases."""

import pytest
from django.urls import reverse

from parkbrain.monitoring import services
from parkbrain.monitoring.models import Alert, AlertEvent, WarningRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(small):
    services.install_default_rules(small.zone)
    services.evaluate_month(small.zone, 2026, 3)
    return small


def _alert(zone, code: str) -> Alert:
    return Alert.objects.get(rule__zone=zone, rule__code=code)


def _names(response) -> set[str]:
    return {a.enterprise.name for a in response.context["rows"]}


def test_pages_need_a_log_in(client, evaluated):
    alert = _alert(evaluated.zone, "ytd_loss")
    rule = alert.rule
    for url in (
        reverse("monitoring:list"),
        reverse("monitoring:detail", args=[alert.pk]),
        reverse("monitoring:rules"),
        reverse("monitoring:rule-edit", args=[rule.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    for name in ("acknowledge", "resolve", "note"):
        response = client.post(reverse(f"monitoring:{name}", args=[alert.pk]), {"note": "x"})
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert AlertEvent.objects.filter(alert=alert).count() == 1  # only "raised"


def test_list_is_scoped(client, evaluated, other_zone):
    a, b = evaluated.firms["A"].name, evaluated.firms["B"].name
    cases = [("firm-a", {a}), ("firm-b", {b}), ("pm", {a})]
    for username, expected in cases:
        client.force_login(evaluated.users[username])
        assert _names(client.get(reverse("monitoring:list"))) == expected, username
    client.force_login(evaluated.users["analyst"])
    assert len(_names(client.get(reverse("monitoring:list")))) == 4
    client.force_login(other_zone["admin"])
    response = client.get(reverse("monitoring:list"))
    assert response.context["rows"] == []
    assert sum(response.context["counts"].values()) == 0
    assert a not in response.content.decode()


def test_list_counts_states_and_filters(client, evaluated, django_assert_max_num_queries):
    services.acknowledge(_alert(evaluated.zone, "ytd_loss"), evaluated.users["analyst"])
    services.resolve(_alert(evaluated.zone, "missing_report"), evaluated.users["analyst"], "已催报")
    client.force_login(evaluated.users["analyst"])
    url = reverse("monitoring:list")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    counts = response.context["counts"]
    # Six warnings with the shipped rules (four firms cannot drop ten places in a ranking).
    assert counts == {"open": 4, "acknowledged": 1, "resolved": 1, "cleared": 0}
    assert len(response.context["rows"]) == 5  # live ones by default
    assert len(client.get(url, {"state": "all"}).context["rows"]) == 6
    assert _names(client.get(url, {"state": "resolved"})) == {evaluated.firms["D"].name}
    by_rule = client.get(url, {"rule": "taxes_above_revenue"})
    assert _names(by_rule) == {evaluated.firms["C"].name}
    assert by_rule.context["counts"]["open"] == 1  # the counts follow the other filters
    assert len(client.get(url, {"severity": "critical"}).context["rows"]) == 2
    assert len(client.get(url, {"park": evaluated.park.pk}).context["rows"]) == 5
    assert len(client.get(url, {"month": "2026-03"}).context["rows"]) == 5
    assert client.get(url, {"month": "2026-02"}).context["rows"] == []
    bad = client.get(url, {"month": "三月"})
    assert bad.status_code == 200 and "month" in bad.context["filter"].errors


def test_detail_of_another_enterprise_is_404(client, evaluated, other_zone):
    loss = _alert(evaluated.zone, "ytd_loss")  # firm B's
    url = reverse("monitoring:detail", args=[loss.pk])
    for user, status in (
        (evaluated.users["firm-a"], 404),
        (evaluated.users["pm"], 404),
        (other_zone["admin"], 404),
        (other_zone["user"], 404),
        (evaluated.users["firm-b"], 200),
        (evaluated.users["analyst"], 200),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user.username
        if status == 404:
            assert evaluated.firms["B"].name not in response.content.decode()


def test_cannot_act_on_another_enterprises_warning(client, evaluated, other_zone):
    loss = _alert(evaluated.zone, "ytd_loss")  # firm B's
    for user in (evaluated.users["firm-a"], evaluated.users["pm"], other_zone["admin"]):
        client.force_login(user)
        for name in ("acknowledge", "resolve", "note"):
            url = reverse(f"monitoring:{name}", args=[loss.pk])
            assert client.post(url, {"note": "越权"}).status_code == 404, (user, name)
    loss.refresh_from_db()
    assert loss.state == "open"
    assert not AlertEvent.objects.filter(note="越权").exists()


def test_enterprise_users_add_notes_but_only_staff_close(client, evaluated):
    loss = _alert(evaluated.zone, "ytd_loss")
    client.force_login(evaluated.users["firm-b"])
    assert client.post(reverse("monitoring:acknowledge", args=[loss.pk])).status_code == 403
    assert (
        client.post(reverse("monitoring:resolve", args=[loss.pk]), {"note": "x"}).status_code == 403
    )
    response = client.post(reverse("monitoring:note", args=[loss.pk]), {"note": "坏账核销所致"})
    assert response["Location"] == reverse("monitoring:detail", args=[loss.pk])
    detail = client.get(response["Location"])
    assert "坏账核销所致" in detail.content.decode()
    assert not detail.context["may_resolve"]
    loss.refresh_from_db()
    assert loss.state == "open"


def test_project_manager_acknowledges_but_does_not_resolve(client, evaluated):
    decline = _alert(evaluated.zone, "output_ytd_decline")  # firm A's, which pm serves
    client.force_login(evaluated.users["pm"])
    url = reverse("monitoring:resolve", args=[decline.pk])
    assert client.post(url, {"note": "x"}).status_code == 403
    client.post(reverse("monitoring:acknowledge", args=[decline.pk]), {"note": "已约谈"})
    decline.refresh_from_db()
    assert decline.state == "acknowledged"
    assert decline.events.get(kind="acknowledged").note == "已约谈"


def test_staff_resolve_with_a_note_and_are_told_when_it_is_missing(client, evaluated):
    decline = _alert(evaluated.zone, "output_ytd_decline")
    client.force_login(evaluated.users["analyst"])
    url = reverse("monitoring:resolve", args=[decline.pk])
    response = client.post(url, {"note": " "}, follow=True)
    assert [str(m) for m in response.context["messages"]] != []
    decline.refresh_from_db()
    assert decline.state == "open"
    client.post(url, {"note": "订单转移至新厂，已核实"})
    decline.refresh_from_db()
    assert decline.state == "resolved"
    assert client.get(url).status_code == 405


def test_htmx_acknowledge_swaps_the_row(client, evaluated):
    decline = _alert(evaluated.zone, "output_ytd_decline")
    client.force_login(evaluated.users["analyst"])
    response = client.post(
        reverse("monitoring:acknowledge", args=[decline.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and f'id="alert-{decline.pk}"' in body
    assert reverse("monitoring:acknowledge", args=[decline.pk]) not in body  # no button now
    decline.refresh_from_db()
    assert decline.state == "acknowledged"


def test_rules_page_is_the_callers_zone(client, evaluated, other_zone):
    client.force_login(evaluated.users["firm-a"])
    rules = client.get(reverse("monitoring:rules")).context["rules"]
    assert len(rules) == 7
    # An enterprise user's live counts are its own firm's only.
    assert sum(r.live_count for r in rules) == 2
    assert not client.get(reverse("monitoring:rules")).context["may_edit"]
    client.force_login(other_zone["admin"])
    assert client.get(reverse("monitoring:rules")).context["rules"] == []


def test_rule_edit_is_for_the_zones_administrator(client, evaluated, other_zone):
    rule = WarningRule.objects.get(zone=evaluated.zone, code="output_ytd_decline")
    url = reverse("monitoring:rule-edit", args=[rule.pk])
    form = {
        "name": rule.name,
        "enabled": "on",
        "severity": "critical",
        "basis": "ytd",
        "operator": "lt",
        "threshold": "-25",
        "description": rule.description,
    }
    client.force_login(other_zone["admin"])
    assert client.get(url).status_code == 404
    assert client.post(url, form).status_code == 404
    for username in ("analyst", "pm", "firm-a"):
        client.force_login(evaluated.users[username])
        assert client.post(url, form).status_code == 403, username
    rule.refresh_from_db()
    assert rule.threshold == -20
    client.force_login(evaluated.users["admin"])
    assert client.get(url).status_code == 200
    response = client.post(url, {**form, "threshold": "二十"})
    assert response.status_code == 200 and "threshold" in response.context["form"].errors
    assert client.post(url, form)["Location"] == reverse("monitoring:rules")
    rule.refresh_from_db()
    assert (rule.threshold, rule.severity) == (-25, "critical")
    missing = WarningRule.objects.get(zone=evaluated.zone, code="missing_report")
    response = client.post(
        reverse("monitoring:rule-edit", args=[missing.pk]),
        {**form, "name": missing.name, "operator": "gte", "threshold": "0"},
    )
    assert "threshold" in response.context["form"].errors
