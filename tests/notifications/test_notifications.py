"""The notification centre: who is told what, in the same transaction as the change, and
nobody reads or marks another person's notifications."""

import pytest
from django.db import transaction
from django.urls import reverse

from parkbrain.core import todo
from parkbrain.notifications import services
from parkbrain.notifications.models import Notification
from parkbrain.reporting import services as reporting
from parkbrain.reporting.models import MonthlyReport
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_notify_writes_one_per_active_recipient(demo):
    gear, admin = demo.user("gear"), demo.user("admin")
    admin.is_active = False
    admin.save()
    assert services.notify([gear, gear, admin, None], "test", "标题", "正文", "/x/") == 1
    assert list(Notification.objects.values_list("user__username", "title")) == [("gear", "标题")]


def test_a_change_that_rolls_back_tells_nobody(demo):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify([demo.user("gear")], "test", "不该发出")
        raise RuntimeError
    assert not Notification.objects.exists()


def test_a_returned_report_tells_the_enterprises_users_with_the_reason(demo_with_reports):
    ev = demo_with_reports.firms["ev"]
    report = MonthlyReport.objects.filter(enterprise=ev, status="accepted").latest("year", "month")
    reporting.return_report(
        report, demo_with_reports.user("analyst"), "电力消费量与产值不匹配，请核实"
    )
    [sent] = Notification.objects.all()
    assert sent.user == demo_with_reports.user("ev")
    assert sent.title == f"{report.year}年{report.month}月月报已被退回"
    assert sent.body == "电力消费量与产值不匹配，请核实"
    assert sent.url == reverse("reporting:month", args=[ev.pk, report.year, report.month])
    # It is on the firm's to-do until read.
    tasks = todo.tasks_for(sent.user, ev, AS_OF)
    assert [t.title for t in tasks if t.kind == "notice"] == [sent.title]
    services.mark_read(sent.user)
    assert not [t for t in todo.tasks_for(sent.user, ev, AS_OF) if t.kind == "notice"]


def test_the_bell_counts_unread_and_opening_one_reads_it(client, demo):
    gear = demo.user("gear")
    services.notify([gear], "test", "第一条", url=reverse("reporting:mine"))
    services.notify([gear], "test", "第二条")
    client.force_login(gear)
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-count">2<' in page
    first = Notification.objects.get(title="第一条")
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response["Location"] == reverse("reporting:mine")
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:read-all"))
    assert not services.unread(gear).exists()


def test_a_link_elsewhere_is_not_followed(client, demo):
    services.notify([demo.user("gear")], "test", "外链", url="https://example.com/")
    client.force_login(demo.user("gear"))
    sent = Notification.objects.get()
    response = client.post(reverse("notifications:open", args=[sent.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_nobody_opens_or_reads_another_persons_notifications(client, demo, other_zone):
    services.notify([demo.user("gear")], "test", "精环的通知")
    sent = Notification.objects.get()
    for user in (demo.user("ev"), demo.user("admin"), other_zone["admin"]):
        client.force_login(user)
        assert "精环的通知" not in client.get(reverse("notifications:list")).content.decode()
        assert client.post(reverse("notifications:open", args=[sent.pk])).status_code == 404
        client.post(reverse("notifications:read-all"))
    sent.refresh_from_db()
    assert sent.read_at is None
    client.logout()
    assert client.get(reverse("notifications:list"))["Location"].startswith("/login/")
