"""The read-only order pages: what the caller may see, and the figures as recorded."""

import pytest
from django.urls import reverse

from parkbrain.mes.models import ProductionOrder

pytestmark = pytest.mark.django_db
LIST = reverse("mes:orders")


def test_the_gear_maker_sees_its_order_with_operations_lots_and_inspections(
    client, demo, gear_order
):
    client.force_login(demo.user("gear"))
    listed = client.get(LIST)
    assert [o.number for o in listed.context["orders"]] == ["WO-2026-001"]
    assert listed.context["orders"][0].operation_count == 3
    planned = listed.content.decode().split('data-testid="orders"')[1]
    assert " 件</td>" in planned and " EA</td>" not in planned  # the unit by its word
    order = ProductionOrder.objects.get()
    page = client.get(reverse("mes:order", args=[order.pk]))
    assert page.status_code == 200
    rows = page.context["operations"]
    assert [(r["operation"].step, r["events"], r["retracted"]) for r in rows] == [
        ("forging", 1, 0),
        ("heat_treating", 1, 0),
        ("inspecting", 1, 0),
    ]
    html = page.content.decode()
    assert "600.5 kg" in html and "6.2 µm" in html and "1E+2" not in html
    assert "/trace/genealogy/?epc=urn%3Aepc%3Aclass%3Algtin%3A6901234.011111.H2603-17" in html
    assert html.count('data-testid="inspection"') == 1


def test_another_enterprise_sees_no_order_and_its_page_is_404(client, demo, other_zone, gear_order):
    pk = ProductionOrder.objects.get().pk
    for user in (demo.user("ev"), demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert list(client.get(LIST).context["orders"]) == []
        assert client.get(reverse("mes:order", args=[pk])).status_code == 404
    for username in ("analyst", "pm"):
        client.force_login(demo.user(username))
        assert len(client.get(LIST).context["orders"]) == 1
        assert client.get(reverse("mes:order", args=[pk])).status_code == 200
    client.logout()
    assert client.get(LIST).status_code == 302
    assert client.get(reverse("mes:order", args=[pk])).status_code == 302


def test_the_list_filters_by_state(client, demo, gear_order):
    client.force_login(demo.user("gear"))
    assert len(client.get(LIST, {"state": "released"}).context["orders"]) == 1
    assert len(client.get(LIST, {"state": "completed"}).context["orders"]) == 0
