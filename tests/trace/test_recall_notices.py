"""A customer's recall notices: the recalls of its suppliers, with only what it received."""

import pytest
from django.urls import reverse

from parkbrain.trace import recall
from parkbrain.trace.locations import save_locations

from .test_recall import EV_NAME, EV_PARTY, HEAT, S1, S2, plant  # noqa: F401

pytestmark = pytest.mark.django_db
NOTICES = reverse("trace:recall_notices")


def _executed(demo):
    save_locations(demo.firms["gear"], [{"id": EV_PARTY, "name": EV_NAME}])
    order = recall.create_recall(
        demo.user("gear"), "炉号 HEAT-1 硬度不合格", {"epc": HEAT}, include_shipped=True
    )
    return recall.execute_recall(order, demo.user("gear"))


def test_the_customer_sees_the_recall_of_what_it_received_and_nothing_else(
    client,
    plant,  # noqa: F811
    demo,
):
    order = _executed(demo)
    client.force_login(demo.user("ev"))
    assert client.get(NOTICES).context["rows"] == []  # it has not said the party is itself
    save_locations(demo.firms["ev"], [{"id": EV_PARTY, "name": EV_NAME}])
    page = client.get(NOTICES)
    [row] = page.context["rows"]
    assert row["notice"].recall == order and row["notice"].supplier == demo.firms["gear"].name
    assert row["notice"].items == [S1] and row["quantity"] == "1 件"
    html = page.content.decode()
    assert "炉号 HEAT-1 硬度不合格" in html and S2 not in html  # the supplier's stock stays its own


def test_no_one_else_sees_a_notice_nor_the_suppliers_name(
    client,
    plant,  # noqa: F811
    demo,
    other_zone,
):
    _executed(demo)
    # Claiming the customer's party under one's own name is not enough: the supplier names it
    # as the customer.
    save_locations(
        demo.firms["glassfibre"], [{"id": EV_PARTY, "name": demo.firms["glassfibre"].name}]
    )
    for user in (
        demo.user("glassfibre"),
        demo.user("gear"),
        demo.user("analyst"),
        other_zone["user"],
    ):
        client.force_login(user)
        page = client.get(NOTICES)
        assert page.context["rows"] == []
        assert demo.firms["gear"].name not in page.content.decode().split("<main")[-1]
    client.logout()
    assert client.get(NOTICES).status_code == 302
