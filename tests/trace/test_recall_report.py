"""Recall reports that outgrow a page, and customers that master data does not name, in the
page, the workbook and the PDF."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from parkbrain.trace.locations import save_locations

from .test_genealogy import _amount, _capture, _event, _transform

pytestmark = pytest.mark.django_db

HEAT = "urn:epc:class:lgtin:6901234.011111.HEAT-7"
#: A heat made into 57 gears, all shipped to one customer: its row lists 57 identifiers.
GEARS = [f"urn:epc:id:sgtin:6901234.044444.{n}" for n in range(1, 58)]
EV_PARTY = "urn:epc:id:pgln:6905555.00000"


@pytest.fixture
def shipped(client, gear_token):
    _capture(
        client,
        [
            _transform(1, "mark", [_amount(HEAT, 570, "KGM")], {"outputEPCList": GEARS}, "marking"),
            _event(
                "ObjectEvent",
                2,
                "ship",
                action="OBSERVE",
                epcList=GEARS,
                bizStep="shipping",
                destinationList=[{"type": "owning_party", "destination": EV_PARTY}],
            ),
        ],
        gear_token,
    )
    return gear_token


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_a_customer_row_taller_than_a_page_splits_with_the_header_on_each_page(
    client, shipped, demo
):
    created = client.post(
        reverse("api:epcis_recall_create"),
        json.dumps({"reason": "hardness", "criteria": {"epc": HEAT}}),
        "application/json",
        **shipped,
    )
    pk = created.json()["id"]
    client.force_login(demo.user("gear"))
    for url, params in (
        (reverse("trace:recall_scope_report", kwargs={"fmt": "pdf"}), {"epc": HEAT}),
        (reverse("trace:recall_report", kwargs={"pk": pk, "fmt": "pdf"}), {}),
        (reverse("api:epcis_recall_report", kwargs={"recall_id": pk, "fmt": "pdf"}), {}),
    ):
        response = client.get(url, params)
        assert response.status_code == 200, url
        pages = _pages(response.content)
        text = "".join(pages).replace("\n", "")
        assert all(gear in text for gear in GEARS), url
        # The customers' header (… 业务单据 标识) heads each further page the row fills.
        customer_pages = [p for p in pages if "业务单据" in p]
        assert len(customer_pages) >= 2, url
        assert all(p.index("业务单据") < p.index("urn:epc:id:sgtin") for p in customer_pages[1:])


def test_a_customer_master_data_does_not_name_is_said_to_have_no_name(client, shipped, demo):
    client.force_login(demo.user("gear"))
    page = client.get(reverse("trace:recall"), {"epc": HEAT}).content.decode()
    assert (
        f'title="{EV_PARTY}"><span class="muted" data-testid="customer-unnamed">未登记名称' in page
    )
    workbook = client.get(
        reverse("trace:recall_scope_report", kwargs={"fmt": "xlsx"}), {"epc": HEAT}
    )
    customers = list(
        load_workbook(io.BytesIO(workbook.content))["客户"].iter_rows(values_only=True)
    )
    assert customers[1][:3] == (EV_PARTY, "未登记名称", 57)
    document = client.get(
        reverse("trace:recall_scope_report", kwargs={"fmt": "pdf"}), {"epc": HEAT}
    )
    assert "未登记名称" in "".join(_pages(document.content))
    # Named in master data, the name stands in its place.
    save_locations(demo.firms["gear"], [{"id": EV_PARTY, "name": "启行新能源"}])
    page = client.get(reverse("trace:recall"), {"epc": HEAT}).content.decode()
    assert f'title="{EV_PARTY}">启行新能源<' in page and "customer-unnamed" not in page
    workbook = client.get(
        reverse("trace:recall_scope_report", kwargs={"fmt": "xlsx"}), {"epc": HEAT}
    )
    customers = list(
        load_workbook(io.BytesIO(workbook.content))["客户"].iter_rows(values_only=True)
    )
    assert customers[1][:2] == (EV_PARTY, "启行新能源")
