"""Running, publishing, finalising and overriding evaluations; agency figures; the figures
the evaluation reads from the reports."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from parkbrain.evaluation import services
from parkbrain.evaluation.choices import EventKind, Grade, Measure, RunStatus, SubjectGroup
from parkbrain.evaluation.models import (
    AnnualFigure,
    EvaluationRun,
    GradeEvent,
    ParcelOccupant,
    Result,
    ResultMember,
    Scheme,
)
from parkbrain.evaluation.services import FigureRow
from parkbrain.notifications import services as notifications
from parkbrain.notifications.models import Notification
from parkbrain.reporting.models import ReportValue

pytestmark = pytest.mark.django_db
YEAR = 2025
# The demo publishes on AS_OF (2026-11-26, a Thursday) for five working days, to 2 December.
PERIOD_END = date(2026, 12, 2)
AFTER_PERIOD = datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_zone_is_evaluated_and_published(demo_with_reports):
    run = EvaluationRun.objects.get(zone=demo_with_reports.zone)
    assert (run.year, run.status) == (YEAR, RunStatus.PUBLISHED)
    kinds = list(run.events.order_by("at", "id").values_list("kind", "actor__username"))
    assert kinds == [
        (EventKind.COMPUTED, "admin"),
        (EventKind.PUBLISHED, "admin"),
        (EventKind.OBJECTION, "admin"),  # a written objection the office recorded
    ]
    groups = set(run.results.values_list("group", flat=True))
    assert groups == {SubjectGroup.ABOVE_SCALE, SubjectGroup.BELOW_SCALE}
    # Every 规上 firm of the year is covered exactly once.
    covered = set(ResultMember.objects.filter(run=run).values_list("enterprise_id", flat=True))
    above = set(
        demo_with_reports.zone.enterprises.above_scale_in(YEAR).values_list("id", flat=True)
    )
    assert above <= covered
    assert ResultMember.objects.filter(run=run).count() == len(covered)


def test_shared_parcel_is_one_subject(demo_with_reports):
    occupant = ParcelOccupant.objects.select_related("parcel").first()
    result = ResultMember.objects.get(enterprise=occupant.enterprise).result
    members = set(result.members.values_list("enterprise_id", flat=True))
    assert members == set(occupant.parcel.occupants.values_list("enterprise_id", flat=True))
    assert len(members) == 2
    assert result.land_mu == occupant.parcel.area_mu
    assert result.group == SubjectGroup.ABOVE_SCALE
    own = [Decimal(m.figures["taxes_yuan"]) for m in result.members.all()]
    assert Decimal(result.figures["taxes_yuan"]) == sum(own)


def test_figures_come_from_the_reports_and_the_agencies(demo_with_reports):
    gear = demo_with_reports.firms["gear"]
    member = ResultMember.objects.get(enterprise=gear)
    december = ReportValue.objects.get(
        report__enterprise=gear, report__year=YEAR, report__month=12, indicator__code="taxes"
    ).value
    assert Decimal(member.figures["taxes_yuan"]) == december
    agency = AnnualFigure.objects.filter(enterprise=gear, year=YEAR).first()
    expected = None if agency is None else str(agency.emissions_tonnes)
    assert member.figures["emissions_tonnes"] == expected
    result = member.result
    if result.parcel_id is None and result.items:
        tax = next(i for i in result.items if i["measure"] == Measure.TAX_PER_MU)
        assert Decimal(tax["value"]) == december / 10_000 / gear.land_area_mu


def test_only_zone_staff_act(demo_with_reports, other_zone):
    zone = demo_with_reports.zone
    run = EvaluationRun.objects.get(zone=zone)
    result = run.results.first()
    for actor in (
        demo_with_reports.user("gear"),
        demo_with_reports.user("pm"),
        other_zone["admin"],
    ):
        with pytest.raises(services.EvaluationRefused):
            services.compute_evaluation(zone, 2024, actor)
        with pytest.raises(services.EvaluationRefused):
            services.finalise_evaluation(run, actor)
        with pytest.raises(services.EvaluationRefused):
            services.override_grade(result, Grade.D, "试图改动", actor)
    assert EvaluationRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED
    assert not GradeEvent.objects.filter(kind=EventKind.OVERRIDDEN).exists()


def test_life_cycle_is_one_way_and_audited(demo_with_reports, time_machine):
    zone, analyst = demo_with_reports.zone, demo_with_reports.user("analyst")
    run = EvaluationRun.objects.get(zone=zone)
    time_machine.move_to(AFTER_PERIOD)
    for objection in run.objections.all():
        services.answer_objection(objection, False, "经核实，退税冲减已按口径处理。", analyst)
    with pytest.raises(services.EvaluationRefused):
        services.compute_evaluation(zone, YEAR, analyst)
    with pytest.raises(services.EvaluationRefused):
        services.publish_evaluation(run, analyst)
    result = run.results.exclude(grade=Grade.D).filter(score__isnull=False).first()
    services.override_grade(result, Grade.D, "异议复核：偷漏税核实", analyst)
    services.finalise_evaluation(run, analyst)
    with pytest.raises(services.EvaluationRefused):
        services.override_grade(result, Grade.A, "再改", analyst)
    run.refresh_from_db()
    assert run.status == RunStatus.FINAL and run.finalised_at is not None
    override = GradeEvent.objects.get(kind=EventKind.OVERRIDDEN)
    assert override.actor == analyst
    assert override.detail == {
        "old": result.computed_grade,
        "new": "D",
        "reason": "异议复核：偷漏税核实",
    }
    assert GradeEvent.objects.filter(run=run, kind=EventKind.FINALISED, actor=analyst).exists()


def test_override_needs_a_reason_and_survives_a_recompute(demo_with_reports):
    zone, admin = demo_with_reports.zone, demo_with_reports.user("admin")
    services.install_default_schemes(zone, 2024)
    run = services.compute_evaluation(zone, 2024, admin)
    assert run.status == RunStatus.DRAFT
    result = run.results.filter(score__isnull=False).order_by("rank").first()
    with pytest.raises(services.EvaluationRefused):
        services.override_grade(result, Grade.C, "  ", admin)
    services.override_grade(result, Grade.C, "环保处罚，降档", admin)
    services.compute_evaluation(zone, 2024, admin)
    again = Result.objects.get(run=run, key=result.key)
    assert (again.grade, again.override_reason) == ("C", "环保处罚，降档")
    assert again.computed_grade == result.computed_grade
    # Setting the computed grade back removes the override.
    services.override_grade(again, again.computed_grade, "", admin)
    again.refresh_from_db()
    assert not again.overridden and again.override_reason == ""


def test_a_year_without_a_scheme_is_refused_clearly(demo_with_reports):
    with pytest.raises(services.EvaluationRefused, match="2023"):
        services.compute_evaluation(demo_with_reports.zone, 2023, demo_with_reports.user("admin"))


def test_default_schemes_are_installed_once(demo_with_reports):
    zone = demo_with_reports.zone
    assert services.install_default_schemes(zone, YEAR) == []
    scheme = Scheme.objects.get(zone=zone, year=YEAR, group=SubjectGroup.BELOW_SCALE)
    assert scheme.min_land_mu == 3
    assert sum(i.weight for i in scheme.indicators.all()) == 100


def test_annual_figures_are_checked_whole_and_name_the_field(demo, other_zone):
    analyst = demo.user("analyst")
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    bad = [
        FigureRow(gear.credit_code, "2025", emissions_tonnes="1.5", source="环保局"),
        FigureRow(ev.credit_code, "二〇二五", taxes_yuan="-3", source="税务局"),
        FigureRow(other_zone["firm"].credit_code, "2025", electricity_kwh="x", source=""),
    ]
    with pytest.raises(services.FiguresRejected) as rejected:
        services.record_annual_figures(bad, analyst)
    found = {(p.row, p.field) for p in rejected.value.problems}
    assert found == {
        (2, "year"),
        (2, "taxes_yuan"),
        (3, "credit_code"),
        (3, "electricity_kwh"),
        (3, "source"),
    }
    assert not AnnualFigure.objects.exists()
    good = [FigureRow(gear.credit_code.lower(), "2025", emissions_tonnes="1,5", source="环保局")]
    assert services.record_annual_figures(good, analyst) == 1
    good = [FigureRow(gear.credit_code, "2025", emissions_tonnes="2.25", source="环保局复核")]
    services.record_annual_figures(good, analyst)
    figure = AnnualFigure.objects.get()
    assert (figure.emissions_tonnes, figure.source) == (Decimal("2.25"), "环保局复核")
    with pytest.raises(services.EvaluationRefused):
        services.record_annual_figures(good, demo.user("gear"))


def test_publishing_opens_an_objection_period_of_five_working_days(demo_with_reports):
    run = EvaluationRun.objects.get(zone=demo_with_reports.zone)
    assert (run.objection_from, run.objection_until) == (date(2026, 11, 26), PERIOD_END)
    # 国庆 1–7 October and the make-up Saturday 10 October count as they are worked.
    assert services.earliest_objection_end(date(2026, 9, 30)) == date(2026, 10, 12)
    assert services.earliest_objection_end(date(2026, 9, 28)) == date(2026, 10, 9)


def test_a_period_shorter_than_five_working_days_is_refused(demo_with_reports, time_machine):
    zone, admin = demo_with_reports.zone, demo_with_reports.user("admin")
    services.install_default_schemes(zone, 2024)
    draft = services.compute_evaluation(zone, 2024, admin)
    with pytest.raises(services.EvaluationRefused, match="2026-12-02"):
        services.publish_evaluation(draft, admin, until=date(2026, 12, 1))
    draft.refresh_from_db()
    assert draft.status == RunStatus.DRAFT and draft.objection_until is None
    services.publish_evaluation(draft, admin, until=date(2026, 12, 11))
    draft.refresh_from_db()
    assert (draft.status, draft.objection_until) == (RunStatus.PUBLISHED, date(2026, 12, 11))


def test_finalising_waits_for_the_period_and_every_answer(demo_with_reports, time_machine):
    zone, admin = demo_with_reports.zone, demo_with_reports.user("admin")
    run = EvaluationRun.objects.get(zone=zone)
    objection = run.objections.get()
    with pytest.raises(services.EvaluationRefused, match="2026-12-02"):
        services.finalise_evaluation(run, admin)
    time_machine.move_to(datetime(2026, 12, 2, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    with pytest.raises(services.EvaluationRefused, match="2026-12-02"):
        services.finalise_evaluation(run, admin)
    time_machine.move_to(AFTER_PERIOD)
    with pytest.raises(services.EvaluationRefused, match="1"):
        services.finalise_evaluation(run, admin)
    assert EvaluationRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED
    result = objection.result
    wanted = "B" if result.computed_grade != "B" else "A"
    services.answer_objection(objection, True, "完税证明属实，重算后等级调整。", admin, wanted)
    result.refresh_from_db()
    assert (result.grade, result.override_reason) == (wanted, "完税证明属实，重算后等级调整。")
    objection.refresh_from_db()
    assert (objection.status, objection.answered_by) == ("upheld", admin)
    # The office recorded this one for a firm without a log-in of its own in the demo, or for
    # one with: its users are told either way.
    told = Notification.objects.filter(kind="objection_answered")
    assert {n.user_id for n in told} == {
        u.pk for u in notifications.enterprise_users(objection.enterprise)
    }
    with pytest.raises(services.EvaluationRefused):
        services.answer_objection(objection, False, "再答一次", admin)
    services.finalise_evaluation(run, admin)
    assert EvaluationRun.objects.get(pk=run.pk).status == RunStatus.FINAL


def test_an_enterprise_objects_to_its_own_result_only_during_the_period(
    demo_with_reports, time_machine
):
    gear, user = demo_with_reports.firms["gear"], demo_with_reports.user("gear")
    run = EvaluationRun.objects.get(zone=demo_with_reports.zone)
    own = ResultMember.objects.get(run=run, enterprise=gear).result
    other = run.results.exclude(pk=own.pk).first()
    objection = services.raise_objection(own, gear, "  研发费用漏报，请复核。 ", user)
    assert (objection.text, objection.raised_by, objection.status) == (
        "研发费用漏报，请复核。",
        user,
        "open",
    )
    with pytest.raises(services.EvaluationRefused):
        services.raise_objection(other, gear, "别家的结果", user)
    other_firm = other.members.first().enterprise
    with pytest.raises(services.EvaluationRefused):
        services.raise_objection(other, other_firm, "冒名提出", user)
    with pytest.raises(services.EvaluationRefused):
        services.raise_objection(own, gear, "   ", user)
    with pytest.raises(services.EvaluationRefused):
        services.answer_objection(objection, True, "自己答复", user)
    time_machine.move_to(AFTER_PERIOD)
    with pytest.raises(services.EvaluationRefused, match="公示期"):
        services.raise_objection(own, gear, "逾期提出", user)
    assert run.objections.filter(enterprise=gear).count() == 1
