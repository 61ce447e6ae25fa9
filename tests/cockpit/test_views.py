import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.registry.models import Enterprise, Park
from parkbrain.reporting.periods import last_complete_month
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("cockpit:dashboard"),
    reverse("cockpit:wall"),
    reverse("cockpit:export", args=["xlsx"]),
    reverse("cockpit:export", args=["csv"]),
    reverse("cockpit:held_out"),
    reverse("cockpit:firms"),
    reverse("cockpit:wall-data"),
]


@pytest.mark.parametrize("url", PAGES)
def test_only_zone_staff_open_the_cockpit(client, demo, url):
    """Enterprise users and project managers see part of the zone: the cockpit shows all of it."""
    for username in ("gear", "pm"):
        client.force_login(demo.user(username))
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page
    for username in ("analyst", "admin"):
        client.force_login(demo.user(username))
        assert client.get(url).status_code == 200


def test_another_zone_sees_only_its_own_figures(client, demo_with_reports, other_zone):
    client.force_login(other_zone["admin"])
    response = client.get(reverse("cockpit:dashboard"), {"kind": "year", "year": 2025})
    board = response.context["board"]
    assert board.zone == other_zone["zone"]
    assert board.figure("market_entities").value == 1
    assert board.figure("output_value").value is None  # the demo zone's reports are not its
    assert board.top == []
    names = [p["name"] for p in response.context["map_data"]["points"]]
    assert names == [] or set(names) <= {other_zone["park"].name}
    # A park of another zone is not a valid filter.
    demo_park = Park.objects.filter(zone=demo_with_reports.zone).first()
    response = client.get(reverse("cockpit:dashboard"), {"park": demo_park.pk})
    assert response.context["board"].filters.park is None
    assert response.context["form"].errors


def test_filters_change_the_figures(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    whole = client.get(reverse("cockpit:dashboard"), {"kind": "year", "year": 2025}).context
    park = demo_with_reports.firms["gear"].park
    part = client.get(
        reverse("cockpit:dashboard"), {"kind": "year", "year": 2025, "park": park.pk}
    ).context
    assert part["board"].figure("output_value").value < whole["board"].figure("output_value").value
    by_park = {g.key: g.value for g in whole["board"].by_park}
    assert part["board"].figure("output_value").value == by_park[park.pk]
    assert part["period"].label == "2025年"


@pytest.mark.clock
def test_a_month_not_over_falls_back_with_a_message(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    response = client.get(
        reverse("cockpit:dashboard"), {"kind": "month", "year": AS_OF.year, "month": AS_OF.month}
    )
    assert response.status_code == 200
    assert "尚未结束" in response.content.decode()
    period = response.context["period"]
    assert (period.year, period.month) == last_complete_month(AS_OF)
    assert response.context["board"].figure("output_value").value > 0


def test_drill_down_links_keep_the_filters(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    response = client.get(reverse("cockpit:dashboard"), {"kind": "year", "year": 2025})
    links = response.context["industry_data"]["links"]
    assert all("by=industry" in link and "year=2025" in link for link in links)
    for point in response.context["map_data"]["points"]:
        assert point["link"].startswith(reverse("cockpit:firms"))
        listed = client.get(point["link"])
        assert listed.status_code == 200


def test_xlsx_export_carries_the_figures(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    params = {"kind": "year", "year": 2023}
    board = client.get(reverse("cockpit:dashboard"), params).context["board"]
    response = client.get(reverse("cockpit:export", args=["xlsx"]), params)
    assert response["Content-Disposition"].endswith('cockpit-year-2023-12.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "指标",
        "产业",
        "园区",
        "经济类型",
        "月度走势",
        "重点企业",
        "未计入的报表",
    ]
    rows = {row[0]: row for row in book["指标"].iter_rows(values_only=True)}
    output = board.figure("output_value")
    assert D(str(rows[output.label][1])) == output.value
    assert rows["占全市工业总产值"][1] == pytest.approx(33.33, abs=0.05)
    top = list(book["重点企业"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in top] == [r.name for r in board.top]


def test_csv_export_is_formula_safe(client, demo_with_reports):
    from parkbrain.registry.models import Enterprise

    gear = demo_with_reports.firms["gear"]
    Enterprise.objects.filter(pk=gear.pk).update(name="=HYPERLINK(1)")
    client.force_login(demo_with_reports.user("analyst"))
    response = client.get(reverse("cockpit:export", args=["csv"]), {"kind": "year", "year": 2025})
    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert "=HYPERLINK(1)" not in cells


def test_unknown_export_format_is_404(client, demo):
    client.force_login(demo.user("analyst"))
    assert client.get(reverse("cockpit:export", args=["pdf"])).status_code == 404


def test_the_wall_data_is_the_walls_figures_for_its_zone_only(
    client, demo_with_reports, other_zone
):
    url = reverse("cockpit:wall-data")
    params = {"kind": "year", "year": 2025}
    client.force_login(demo_with_reports.user("analyst"))
    page = client.get(reverse("cockpit:wall"), params).content.decode()
    data = client.get(url, params).json()
    board = client.get(reverse("cockpit:dashboard"), params).context["board"]
    output = board.figure("output_value").value
    assert data["fields"]["card-output_value"] == f"{float(output) / 1e8:,.2f}"
    assert f'data-field="card-output_value">{data["fields"]["card-output_value"]}<' in page
    assert [row["name"] for row in data["top"]] == [r.name for r in board.top]
    assert set(data["charts"]) == {"trend-data", "industry-data", "park-data", "map-data"}
    for username in ("gear", "pm"):
        client.force_login(demo_with_reports.user(username))
        assert client.get(url, params).status_code == 403
    client.logout()
    assert client.get(url, params).status_code == 302
    # Another zone's administrator gets its own zone's figures: none of this zone's firms.
    client.force_login(other_zone["admin"])
    data = client.get(url, params).json()
    assert data["top"] == []
    text = json.dumps(data, ensure_ascii=False)
    for firm in Enterprise.objects.filter(zone=demo_with_reports.zone):
        assert firm.name not in text
    for park in Park.objects.filter(zone=demo_with_reports.zone):
        assert park.name not in text
