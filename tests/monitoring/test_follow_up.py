"""Following a warning up: assign it, put it under supervision (督办), acknowledge many at
once, export the list; each for the people who may, and no one else."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.core import todo
from parkbrain.monitoring import services
from parkbrain.monitoring.models import Alert, AlertEvent
from parkbrain.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(small):
    services.install_default_rules(small.zone)
    services.evaluate_month(small.zone, 2026, 3)
    return small


def _alert(zone, code: str) -> Alert:
    return Alert.objects.get(rule__zone=zone, rule__code=code)


def _sheet(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_staff_assign_to_the_manager_serving_the_firm(client, evaluated):
    decline = _alert(evaluated.zone, "output_ytd_decline")  # firm A's, which pm serves
    loss = _alert(evaluated.zone, "ytd_loss")  # firm B's, which nobody serves
    people = set(services.follow_up_people(decline).values_list("username", flat=True))
    assert people == {"admin", "analyst", "pm"}
    assert set(services.follow_up_people(loss).values_list("username", flat=True)) == {
        "admin",
        "analyst",
    }
    client.force_login(evaluated.users["analyst"])
    pm = evaluated.users["pm"]
    client.post(reverse("monitoring:assign", args=[decline.pk]), {"assignee": pm.pk})
    decline.refresh_from_db()
    assert decline.assignee == pm
    event = decline.events.get(kind="assigned")
    assert event.by == evaluated.users["analyst"] and event.note == "pm"
    response = client.post(
        reverse("monitoring:assign", args=[loss.pk]), {"assignee": pm.pk}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    firm_user = evaluated.users["firm-b"]
    with pytest.raises(services.ActionRefused):
        services.assign(loss, evaluated.users["admin"], firm_user)
    loss.refresh_from_db()
    assert loss.assignee is None
    [told] = Notification.objects.filter(user=pm)
    assert told.title == f"请跟进预警：{decline.rule.name}（{decline.enterprise.name}）"
    assert told.url == reverse("monitoring:detail", args=[decline.pk])
    client.force_login(pm)
    mine = client.get(reverse("monitoring:list"), {"follow": "mine"}).context["rows"]
    assert [a.pk for a in mine] == [decline.pk]


def test_supervision_has_a_due_date_on_the_working_day_calendar(client, evaluated):
    loss = _alert(evaluated.zone, "ytd_loss")
    # Thursday 26 November 2026 + five working days.
    assert services.default_supervision_due(date(2026, 11, 26)) == date(2026, 12, 3)
    admin = evaluated.users["admin"]
    with pytest.raises(services.ActionRefused):
        services.supervise(loss, admin, date(2026, 11, 25), "逾期的期限")
    with pytest.raises(services.ActionRefused):
        services.supervise(loss, admin, date(2026, 12, 3), "  ")
    client.force_login(admin)
    client.post(
        reverse("monitoring:supervise", args=[loss.pk]),
        {"due": "2026-12-03", "note": "请企业说明亏损原因并报送整改措施"},
    )
    loss.refresh_from_db()
    assert loss.supervised_until == date(2026, 12, 3)
    assert loss.events.get(kind="supervised").note == "2026-12-03：请企业说明亏损原因并报送整改措施"
    told = Notification.objects.filter(kind="warning_supervised")
    assert {n.user.username for n in told} == {"firm-b"}  # the firm; nobody was assigned
    assert told.get().body == "请企业说明亏损原因并报送整改措施"
    listed = client.get(reverse("monitoring:list"), {"follow": "supervised"}).context["rows"]
    assert [a.pk for a in listed] == [loss.pk]
    late = client.get(reverse("monitoring:list"), {"follow": "late"}).context["rows"]
    assert late == []


def test_a_supervised_warning_stays_on_the_firms_to_do_with_its_due_date(evaluated):
    loss = _alert(evaluated.zone, "ytd_loss")
    firm, user = evaluated.firms["B"], evaluated.users["firm-b"]
    services.acknowledge(loss, evaluated.users["admin"])
    assert [t for t in todo.tasks_for(user, firm, date(2026, 11, 26)) if t.kind == "warning"] == []
    services.supervise(loss, evaluated.users["admin"], date(2026, 12, 3), "请说明原因")
    [task] = [t for t in todo.tasks_for(user, firm, date(2026, 11, 26)) if t.kind == "warning"]
    assert (task.due, task.urgency) == (date(2026, 12, 3), todo.Urgency.DUE)
    [task] = [t for t in todo.tasks_for(user, firm, date(2026, 12, 4)) if t.kind == "warning"]
    assert task.urgency == todo.Urgency.OVERDUE


def test_acknowledge_many_takes_the_open_ones_and_says_what_it_skipped(client, evaluated):
    zone = evaluated.zone
    live = list(Alert.objects.filter(rule__zone=zone, state="open"))
    assert len(live) >= 3
    services.acknowledge(live[0], evaluated.users["analyst"])
    client.force_login(evaluated.users["admin"])
    response = client.post(
        reverse("monitoring:acknowledge-selected"),
        {"alert": [a.pk for a in live], "note": "月度例会已通报"},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"已确认 {len(live) - 1} 条预警。", "1 条已不是待处理状态，未作改动。"]
    assert not Alert.objects.filter(pk__in=[a.pk for a in live], state="open").exists()
    notes = AlertEvent.objects.filter(kind="acknowledged", note="月度例会已通报").count()
    assert notes == len(live) - 1


def test_acknowledging_many_touches_only_what_the_user_may_see(client, evaluated, other_zone):
    decline = _alert(evaluated.zone, "output_ytd_decline")  # firm A's, which pm serves
    loss = _alert(evaluated.zone, "ytd_loss")  # firm B's
    url = reverse("monitoring:acknowledge-selected")
    client.force_login(evaluated.users["firm-a"])
    assert client.post(url, {"alert": [decline.pk, loss.pk]}).status_code == 403
    client.force_login(other_zone["admin"])
    client.post(url, {"alert": [decline.pk, loss.pk]})
    client.force_login(evaluated.users["pm"])
    client.post(url, {"alert": [decline.pk, loss.pk]})
    decline.refresh_from_db()
    loss.refresh_from_db()
    assert (decline.state, loss.state) == ("acknowledged", "open")


def test_follow_up_of_another_firms_warning_is_not_found(client, evaluated, other_zone):
    loss = _alert(evaluated.zone, "ytd_loss")  # firm B's
    decline = _alert(evaluated.zone, "output_ytd_decline")  # firm A's
    data = {"assignee": evaluated.users["admin"].pk, "due": "2026-12-03", "note": "越权"}
    for user in (evaluated.users["firm-a"], evaluated.users["pm"], other_zone["admin"]):
        client.force_login(user)
        for name in ("assign", "supervise"):
            assert (
                client.post(reverse(f"monitoring:{name}", args=[loss.pk]), data).status_code == 404
            )
    # The manager serving firm A sees its warning but only zone staff assign and supervise.
    client.force_login(evaluated.users["pm"])
    for name in ("assign", "supervise"):
        assert (
            client.post(reverse(f"monitoring:{name}", args=[decline.pk]), data).status_code == 403
        )
    loss.refresh_from_db()
    decline.refresh_from_db()
    assert (loss.assignee, loss.supervised_until, decline.assignee) == (None, None, None)


def test_the_export_is_the_filtered_list_the_user_may_see(client, evaluated, other_zone):
    client.force_login(evaluated.users["analyst"])
    listed = client.get(reverse("monitoring:list"), {"state": "all"}).context["page"]
    rows = _sheet(client.get(reverse("monitoring:export"), {"state": "all"}))
    assert rows[0][:3] == ["级别", "预警规则", "企业"]
    assert len(rows) - 1 == listed.paginator.count
    assert {r[2] for r in rows[1:]} == {f.name for f in evaluated.firms.values()}
    loss = _sheet(client.get(reverse("monitoring:export"), {"rule": "ytd_loss"}))
    assert [r[2] for r in loss[1:]] == ["乙材料有限公司"]
    client.force_login(evaluated.users["firm-a"])
    own = _sheet(client.get(reverse("monitoring:export"), {"state": "all"}))
    assert {r[2] for r in own[1:]} == {"甲机械有限公司"}
    client.force_login(other_zone["admin"])
    assert _sheet(client.get(reverse("monitoring:export"))) == [rows[0]]
    client.logout()
    assert client.get(reverse("monitoring:export"))["Location"].startswith("/login/")
