"""The evaluation pages: every route checked for anonymous, wrong-tenant and right-tenant
callers."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.evaluation import services
from parkbrain.evaluation.choices import RunStatus
from parkbrain.evaluation.models import EvaluationRun, GradeEvent, PolicyRate, ResultMember
from parkbrain.registry import tenancy

pytestmark = pytest.mark.django_db
YEAR = 2025
AFTER_PERIOD = datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def zone(demo_with_reports):
    return demo_with_reports


def _run(zone):
    return EvaluationRun.objects.get(zone=zone.zone, year=YEAR)


def test_pages_need_a_log_in(client, zone):
    gear = zone.firms["gear"]
    for url in (
        reverse("evaluation:results"),
        reverse("evaluation:enterprise", args=[gear.pk]),
        reverse("evaluation:policy"),
        reverse("evaluation:export"),
    ):
        assert client.get(url)["Location"].startswith("/login/")
    response = client.post(reverse("evaluation:act"), {"year": YEAR, "action": "finalise"})
    assert response["Location"].startswith("/login/")
    assert _run(zone).status == RunStatus.PUBLISHED


def test_results_are_scoped(client, zone, other_zone):
    run = _run(zone)
    client.force_login(zone.user("analyst"))
    response = client.get(reverse("evaluation:results"), {"year": YEAR})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == run.results.count()
    body = response.content.decode()
    assert "亩均" in body or "Per-mu" in body

    pm = zone.user("pm")
    client.force_login(pm)
    shown = {r.pk for r in client.get(reverse("evaluation:results")).context["page"]}
    visible = set(tenancy.visible_enterprises(pm).values_list("id", flat=True))
    allowed = set(
        ResultMember.objects.filter(run=run, enterprise_id__in=visible).values_list(
            "result_id", flat=True
        )
    )
    assert shown and shown <= allowed
    assert len(shown) < run.results.count()

    client.force_login(zone.user("gear"))
    response = client.get(reverse("evaluation:results"))
    assert response["Location"] == reverse("evaluation:enterprise", args=[zone.firms["gear"].pk])

    client.force_login(other_zone["admin"])
    response = client.get(reverse("evaluation:results"), {"year": YEAR})
    assert response.context["run"] is None
    assert zone.firms["gear"].name not in response.content.decode()


def test_explanation_of_another_enterprise_is_404(client, zone, other_zone):
    gear, ev = zone.firms["gear"], zone.firms["ev"]
    client.force_login(zone.user("gear"))
    assert client.get(reverse("evaluation:enterprise", args=[ev.pk])).status_code == 404
    response = client.get(reverse("evaluation:enterprise", args=[gear.pk]), {"year": YEAR})
    assert response.status_code == 200
    result = ResultMember.objects.get(enterprise=gear).result
    assert response.context["result"] == result
    body = response.content.decode()
    assert 'data-testid="items"' in body
    # The zone's scores appear only as an anonymous distribution: no other firm is named.
    others = ResultMember.objects.filter(run=result.run).exclude(result=result)
    for member in others.select_related("enterprise")[:20]:
        assert member.enterprise.name not in body
    assert response.context["distribution"]["count"] >= 2
    client.force_login(other_zone["admin"])
    assert client.get(reverse("evaluation:enterprise", args=[gear.pk])).status_code == 404
    client.force_login(zone.user("pm2"))
    assert client.get(reverse("evaluation:enterprise", args=[gear.pk])).status_code == 404


def test_drafts_are_for_zone_staff_only(client, zone):
    services.install_default_schemes(zone.zone, 2024)
    services.compute_evaluation(zone.zone, 2024, zone.user("analyst"))
    gear = zone.firms["gear"]
    client.force_login(zone.user("gear"))
    response = client.get(reverse("evaluation:enterprise", args=[gear.pk]), {"year": 2024})
    assert response.context["run"] is None and response.context["result"] is None
    assert client.get(reverse("evaluation:export"), {"year": 2024}).status_code == 404
    client.force_login(zone.user("analyst"))
    response = client.get(reverse("evaluation:enterprise", args=[gear.pk]), {"year": 2024})
    assert response.context["run"].status == RunStatus.DRAFT


def test_policy_simulator_is_scoped(client, zone, other_zone):
    gear = zone.firms["gear"]
    client.force_login(zone.user("analyst"))
    analyst_view = client.get(reverse("evaluation:policy"), {"year": YEAR}).context
    assert analyst_view["row_count"] == ResultMember.objects.filter(run=_run(zone)).count()
    client.force_login(zone.user("gear"))
    own = client.get(reverse("evaluation:policy"), {"year": YEAR}).context
    assert [row["member"].enterprise_id for row in own["page"]] == [gear.pk]
    # The zone's total is an aggregate everyone may see, and the same for everyone.
    assert own["zone_total"] == analyst_view["zone_total"]
    client.force_login(other_zone["admin"])
    theirs = client.get(reverse("evaluation:policy"), {"year": YEAR}).context
    assert theirs["run"] is None and theirs["row_count"] == 0


def test_simulated_rates_change_the_charges_without_saving(client, zone):
    client.force_login(zone.user("analyst"))
    stored = PolicyRate.objects.filter(zone=zone.zone).count()
    members = ResultMember.objects.filter(run=_run(zone)).select_related("result")
    kwh_of_d = sum(
        ((m.figures["electricity_kwh"] and float(m.figures["electricity_kwh"])) or 0)
        for m in members
        if m.result.grade == "D"
    )
    base = client.get(reverse("evaluation:policy"), {"year": YEAR}).context["zone_total"]
    raised = client.get(
        reverse("evaluation:policy"), {"year": YEAR, "r-D-electricity": "0.20"}
    ).context["zone_total"]
    # D's electricity rate goes from 0.10 to 0.20 yuan/kWh: 0.10 more per kWh of D firms.
    assert float(raised - base) == pytest.approx(kwh_of_d * 0.10, rel=1e-9)
    assert PolicyRate.objects.filter(zone=zone.zone).count() == stored


def test_export_is_scoped(client, zone, other_zone):
    gear = zone.firms["gear"]
    client.force_login(zone.user("gear"))
    response = client.get(reverse("evaluation:export"), {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = [r for sheet in book for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 1
    assert gear.name in rows[0][1]
    client.force_login(zone.user("analyst"))
    book = load_workbook(io.BytesIO(client.get(reverse("evaluation:export")).content))
    sheet = book["规上企业"]
    assert sheet["A1"].value.startswith(zone.zone.name)
    assert sheet.cell(2, 2).value == "企业名称"
    total = sum(sheet.max_row - 2 for sheet in book)
    assert total == _run(zone).results.count()
    client.force_login(other_zone["admin"])
    assert client.get(reverse("evaluation:export"), {"year": YEAR}).status_code == 404


def test_export_cells_are_never_formulas(client, zone):
    gear = zone.firms["gear"]
    type(gear).objects.filter(pk=gear.pk).update(name="=HYPERLINK(1)")
    services.install_default_schemes(zone.zone, 2024)
    services.compute_evaluation(zone.zone, 2024, zone.user("analyst"))
    client.force_login(zone.user("analyst"))
    book = load_workbook(
        io.BytesIO(client.get(reverse("evaluation:export"), {"year": 2024}).content)
    )
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    named = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert named and all(c.data_type == "s" for c in named)


def test_only_zone_staff_move_the_life_cycle(client, zone, other_zone, time_machine):
    url = reverse("evaluation:act")
    time_machine.move_to(AFTER_PERIOD)
    for objection in _run(zone).objections.all():
        services.answer_objection(objection, False, "不予采纳：口径一致。", zone.user("admin"))
    for user in (zone.user("gear"), zone.user("pm")):
        client.force_login(user)
        assert client.post(url, {"year": YEAR, "action": "finalise"}).status_code == 403
    client.force_login(other_zone["admin"])
    # Acts on its own zone, which has no evaluation of the year.
    assert client.post(url, {"year": YEAR, "action": "finalise"}).status_code == 404
    assert _run(zone).status == RunStatus.PUBLISHED
    client.force_login(zone.user("analyst"))
    response = client.post(url, {"year": YEAR, "action": "finalise"})
    assert response.status_code == 302
    assert _run(zone).status == RunStatus.FINAL
    response = client.post(url, {"year": YEAR, "action": "compute"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert _run(zone).status == RunStatus.FINAL


def test_cannot_override_another_zones_grade(client, zone, other_zone):
    result = _run(zone).results.filter(score__isnull=False).first()
    url = reverse("evaluation:override", args=[result.pk])
    for user in (other_zone["admin"], other_zone["user"], zone.user("gear")):
        client.force_login(user)
        assert client.post(url, {"grade": "D", "reason": "x"}).status_code == 404
    client.force_login(zone.user("pm"))
    client.post(url, {"grade": "D", "reason": "x"})
    result.refresh_from_db()
    assert not result.overridden
    client.force_login(zone.user("admin"))
    grade = "D" if result.grade != "D" else "A"
    assert client.post(url, {"grade": grade, "reason": "异议成立"}).status_code == 302
    result.refresh_from_db()
    assert (result.grade, result.override_reason) == (grade, "异议成立")
    assert GradeEvent.objects.get(result=result).actor == zone.user("admin")


def test_admin_shows_parameters_of_the_own_zone_only(client, zone, other_zone):
    from parkbrain.evaluation.models import Scheme

    scheme = Scheme.objects.filter(zone=zone.zone).first()
    client.force_login(zone.user("admin"))
    assert client.get(reverse("admin:evaluation_scheme_changelist")).status_code == 200
    page = client.get(reverse("admin:evaluation_scheme_change", args=[scheme.pk]))
    assert page.status_code == 200
    client.force_login(other_zone["admin"])
    listing = client.get(reverse("admin:evaluation_scheme_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    other = client.get(reverse("admin:evaluation_scheme_change", args=[scheme.pk]))
    assert other.status_code == 302  # Django admin sends a missing object back to the list
    client.force_login(zone.user("analyst"))
    assert client.get(reverse("admin:evaluation_scheme_changelist")).status_code == 302


def _shared_parcel_seen_by_half(zone):
    """A parcel whose members the project manager `pm` sees only in part: one assigned
    enterprise and one that is not."""
    from parkbrain.registry.models import Assignment

    pm = zone.user("pm")
    visible = set(tenancy.visible_enterprises(pm).values_list("id", flat=True))
    for result in _run(zone).results.filter(parcel__isnull=False).prefetch_related("members"):
        ids = {m.enterprise_id for m in result.members.all()}
        if ids & visible and ids - visible:
            return result, ids & visible, ids - visible
    result = _run(zone).results.filter(parcel__isnull=False).first()
    first, *rest = sorted(m.enterprise_id for m in result.members.all())
    Assignment.objects.filter(manager=pm, enterprise_id__in=rest).delete()
    Assignment.objects.get_or_create(
        manager=pm, enterprise_id=first, defaults={"since": "2020-01-01"}
    )
    pm.__dict__.pop("_parkbrain_scope", None)
    return result, {first}, set(rest)


def test_a_shared_parcel_names_only_the_enterprises_the_user_may_see(client, zone):
    from parkbrain.registry.models import Enterprise

    _result, seen, hidden = _shared_parcel_seen_by_half(zone)
    hidden_firms = list(Enterprise.objects.filter(pk__in=hidden))
    client.force_login(zone.user("pm"))
    for firm in hidden_firms:
        assert client.get(reverse("evaluation:enterprise", args=[firm.pk])).status_code == 404
    page = client.get(reverse("evaluation:enterprise", args=[min(seen)]), {"year": YEAR})
    listing = client.get(reverse("evaluation:results"), {"year": YEAR, "q": ""})
    export = client.get(reverse("evaluation:export"), {"year": YEAR})
    book = load_workbook(io.BytesIO(export.content))
    cells = " ".join(
        str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c
    )
    for text in (page.content.decode(), listing.content.decode(), cells):
        for firm in hidden_firms:
            assert firm.name not in text
            assert firm.credit_code not in text
    body = page.content.decode()
    assert 'data-testid="partners"' in body  # says there is another enterprise, unnamed
    assert 'data-testid="figures-withheld"' in body  # combined figures would reveal it
    assert page.context["figures"] is None
    # Zone staff see the whole parcel.
    client.force_login(zone.user("analyst"))
    staff_page = client.get(reverse("evaluation:enterprise", args=[min(seen)]), {"year": YEAR})
    for firm in hidden_firms:
        assert firm.name in staff_page.content.decode()


@pytest.mark.parametrize("year", ["-5", "99999999999999999999", "abc"])
def test_a_year_no_evaluation_can_have_shows_the_latest(client, zone, year):
    client.force_login(zone.user("analyst"))
    for name in ("evaluation:results", "evaluation:policy"):
        response = client.get(reverse(name), {"year": year})
        assert (response.status_code, response.context["year"]) == (200, YEAR)
    response = client.get(reverse("evaluation:export"), {"year": year})
    assert response.status_code == 200


def test_the_results_page_says_when_the_result_can_be_made_final(client, zone, time_machine):
    client.force_login(zone.user("admin"))
    page = client.get(reverse("evaluation:results"), {"year": YEAR}).content.decode()
    assert "公示期：2026-11-26 至 2026-12-02" in page
    assert "可在公示期满后（2026-12-02 次日起）确定结果" in page
    assert 'data-testid="objections"' in page and "增值税留抵退税" in page
    time_machine.move_to(AFTER_PERIOD)
    client.force_login(zone.user("admin"))  # a week on, the session has expired
    page = client.get(reverse("evaluation:results"), {"year": YEAR}).content.decode()
    assert "1 条异议待答复" in page
    objection = _run(zone).objections.get()
    response = client.post(
        reverse("evaluation:answer", args=[objection.pk]),
        {"answer": "不予采纳：留抵退税不计入入库税款。", "upheld": "0"},
    )
    assert response.status_code == 302
    page = client.get(reverse("evaluation:results"), {"year": YEAR}).content.decode()
    confirm = page.split('data-testid="finalise"')[1].split(">")[0]
    assert "确定后等级不再更改" in confirm and "A " in confirm


def test_an_enterprise_objects_on_its_result_page(client, zone):
    gear = zone.firms["gear"]
    client.force_login(zone.user("gear"))
    url = reverse("evaluation:enterprise", args=[gear.pk])
    assert 'data-testid="objection-form"' in client.get(url).content.decode()
    result = ResultMember.objects.get(run=_run(zone), enterprise=gear).result
    response = client.post(
        reverse("evaluation:object", args=[result.pk]),
        {"enterprise": gear.pk, "text": "研发费用加计扣除未计入，请复核。"},
        follow=True,
    )
    assert "异议已登记" in response.content.decode()
    assert "研发费用加计扣除未计入" in response.content.decode()
    # The office's objection for another firm is not on the gear maker's page.
    assert "增值税留抵退税" not in response.content.decode()


def test_objections_are_for_own_results_and_answers_for_the_zone(client, zone, other_zone):
    gear, run = zone.firms["gear"], _run(zone)
    own = ResultMember.objects.get(run=run, enterprise=gear).result
    other = run.objections.get()
    client.force_login(zone.user("gear"))
    # Another firm's result, given with the gear maker's id or with the other firm's id.
    for enterprise in (gear.pk, other.enterprise_id):
        response = client.post(
            reverse("evaluation:object", args=[other.result_id]),
            {"enterprise": enterprise, "text": "冒名异议"},
        )
        assert response.status_code == 404
    assert (
        client.post(reverse("evaluation:object", args=[own.pk]), {"enterprise": "x"}).status_code
        == 404
    )
    answer = reverse("evaluation:answer", args=[other.pk])
    for user in (zone.user("gear"), zone.user("pm"), other_zone["admin"]):
        client.force_login(user)
        assert client.post(answer, {"answer": "越权答复", "upheld": "1"}).status_code == 404
    client.force_login(other_zone["admin"])
    response = client.post(
        reverse("evaluation:object", args=[own.pk]), {"enterprise": gear.pk, "text": "越区"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open" and run.objections.count() == 1
