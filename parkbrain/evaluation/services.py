"""The only code that writes evaluation state: schemes installed from the shipped example,
agency figures, the evaluation itself, its life cycle and grade overrides, each audited."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parkbrain.core import workdays
from parkbrain.monitoring.compute import REPORT_IN
from parkbrain.monitoring.counting import Counting, HeldReport
from parkbrain.notifications import services as notifications
from parkbrain.registry import tenancy
from parkbrain.registry.choices import IN_BUSINESS, Role
from parkbrain.registry.models import AboveScaleYear, Enterprise, Zone
from parkbrain.reporting.compute import CoefficientTable
from parkbrain.reporting.models import Indicator, ReportValue

from . import compute, defaults
from .choices import EventKind, Grade, GradingMethod, ObjectionStatus, RunStatus, SubjectGroup
from .models import (
    AnnualFigure,
    EvaluationRun,
    GradeEvent,
    LandParcel,
    Objection,
    ParcelOccupant,
    Result,
    ResultMember,
    Scheme,
    SchemeIndicator,
)

FOUR_PLACES = Decimal("0.0001")
# 公示 lasts at least this many working days, as Zhejiang's county notices give it.
PUBLICITY_WORKING_DAYS = 5


class EvaluationRefused(Exception):
    """The action is not allowed; the message says why."""


# -- who may act -----------------------------------------------------------------------------


def can_act(actor: object) -> bool:
    """Zone administrators and analysts run, publish, finalise and override evaluations."""
    scope = tenancy.scope_of(actor)  # type: ignore[arg-type]
    return scope.sees_whole_zone and scope.role in (Role.ZONE_ADMIN, Role.ANALYST)


def _require(actor: object, zone: Zone) -> None:
    if not can_act(actor) or tenancy.scope_of(actor).zone_id != zone.pk:  # type: ignore[arg-type]
        raise EvaluationRefused(_("Only the zone's administrators and analysts may do this."))


def _event(run: EvaluationRun, kind: str, actor, result: Result | None = None, **detail) -> None:
    GradeEvent.objects.create(
        run=run, result=result, kind=kind, actor=actor if actor else None, detail=detail
    )


# -- schemes ---------------------------------------------------------------------------------


@transaction.atomic
def install_default_schemes(zone: Zone, year: int) -> list[Scheme]:
    """The shipped example scheme (defaults.py) for both groups of a year, where the zone
    has none yet; a zone then edits it in the administration."""
    made = []
    for group, rows in defaults.INDICATORS.items():
        if Scheme.objects.filter(zone=zone, year=year, group=group).exists():
            continue
        scheme = Scheme.objects.create(
            zone=zone,
            year=year,
            group=group,
            min_land_mu=defaults.MIN_LAND_MU[group],
            source=defaults.SOURCE,
        )
        SchemeIndicator.objects.bulk_create(
            SchemeIndicator(
                scheme=scheme,
                measure=measure,
                weight=weight,
                benchmark=benchmark,
                unit=unit,
                when_missing=missing,
                sort_order=order,
            )
            for order, (measure, weight, benchmark, unit, missing) in enumerate(rows)
        )
        made.append(scheme)
    return made


def scheme_rules(scheme: Scheme) -> compute.SchemeRules:
    thresholds = None
    if scheme.grading == GradingMethod.THRESHOLD:
        thresholds = (scheme.threshold_a, scheme.threshold_b, scheme.threshold_c)
    return compute.SchemeRules(
        rules=tuple(
            compute.Rule(
                measure=i.measure,
                weight=i.weight,
                benchmark=i.benchmark,
                direction=i.direction,
                cap_points=i.cap_points,
                when_missing=i.when_missing,
                unit=i.unit,
            )
            for i in scheme.indicators.all()
        ),
        min_land_mu=scheme.min_land_mu,
        startup_years=scheme.startup_years,
        grading=scheme.grading,
        shares=(scheme.share_a, scheme.share_b, scheme.share_c, scheme.share_d),
        thresholds=thresholds,
    )


# -- agency figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One row of an agency file: the enterprise by credit code, the year and the figures
    as text (empty: not given)."""

    credit_code: str
    year: str
    emissions_tonnes: str = ""
    taxes_yuan: str = ""
    electricity_kwh: str = ""
    source: str = ""


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based, as a spreadsheet counts data rows
    field: str
    reason: str


class FiguresRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@transaction.atomic
def record_annual_figures(rows: list[FigureRow], actor: object) -> int:
    """Validate every row, then write them all (a row for an enterprise-year already there
    replaces its figures); nothing is written if any row is wrong. Returns rows written."""
    zone = tenancy.zone_of(actor)
    if zone is None or not can_act(actor):
        raise EvaluationRefused(_("Only the zone's administrators and analysts may do this."))
    firms = dict(
        Enterprise.objects.filter(
            zone=zone, credit_code__in=[r.credit_code.strip().upper() for r in rows]
        ).values_list("credit_code", "id")
    )
    problems: list[Problem] = []
    clean: dict[tuple[int, int], AnnualFigure] = {}
    for number, row in enumerate(rows, start=1):
        enterprise_id = firms.get(row.credit_code.strip().upper())
        if enterprise_id is None:
            problems.append(
                Problem(number, "credit_code", _("No enterprise of this zone has this code."))
            )
        try:
            year = int(row.year)
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(Problem(number, "year", _("Not a year.")))
            year = 0
        values = {}
        for name in ("emissions_tonnes", "taxes_yuan", "electricity_kwh"):
            text = getattr(row, name).strip().replace(",", "")
            if not text:
                values[name] = None
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                problems.append(Problem(number, name, _("Not a number.")))
                continue
            if not value.is_finite() or value < 0:
                problems.append(Problem(number, name, _("Must be zero or more.")))
                continue
            values[name] = value
        if not row.source.strip():
            problems.append(Problem(number, "source", _("Say where the figures come from.")))
        if enterprise_id is not None and year:
            if (enterprise_id, year) in clean:
                problems.append(
                    Problem(number, "credit_code", _("This enterprise and year came already."))
                )
            clean[(enterprise_id, year)] = AnnualFigure(
                enterprise_id=enterprise_id, year=year, source=row.source.strip()[:200], **values
            )
    if problems:
        raise FiguresRejected(problems)
    AnnualFigure.objects.bulk_create(
        clean.values(),
        update_conflicts=True,
        unique_fields=["enterprise", "year"],
        update_fields=["emissions_tonnes", "taxes_yuan", "electricity_kwh", "source", "updated_at"],
    )
    return len(clean)


# -- reading the figures ---------------------------------------------------------------------


def read_firm_figures(
    enterprise_ids: set[int], year: int, convention: str, counting: Counting
) -> tuple[dict[int, compute.Figures], list[HeldReport]]:
    """Each enterprise's annual figures: its reports of the year that `counting` counts and
    the agencies' figures (compute.annual_figures); and the reports it held out."""
    bases = {i.code: (i.basis, i.aggregation) for i in Indicator.objects.all()}
    reported: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = ReportValue.objects.filter(
        report__enterprise_id__in=enterprise_ids,
        report__year=year,
        report__status__in=REPORT_IN,
        indicator__code__in=compute.REPORT_CODES,
    ).values_list(
        "report_id",
        "report__enterprise_id",
        "report__status",
        "indicator__code",
        "report__month",
        "value",
    )
    for report_id, enterprise_id, status, code, month, value in rows:
        if counting.held(report_id, enterprise_id, year, month, status) is None:
            reported[enterprise_id][code][month] = value
    agency = {
        a.enterprise_id: {key: getattr(a, key) for key in compute.AGENCY_FIGURES}
        for a in AnnualFigure.objects.filter(enterprise_id__in=enterprise_ids, year=year)
    }
    table = CoefficientTable.load()
    figures = {
        pk: compute.annual_figures(
            reported.get(pk, {}), bases, table, year, convention, agency.get(pk)
        )
        for pk in enterprise_ids
    }
    held = sorted(counting.held_so_far(), key=lambda h: (h.enterprise_id, h.month))
    return figures, held


def _facts(zone: Zone, year: int, convention: str):
    above = set(
        AboveScaleYear.objects.filter(enterprise__zone=zone, year=year).values_list(
            "enterprise_id", flat=True
        )
    )
    occupancy = dict(
        ParcelOccupant.objects.filter(parcel__zone=zone).values_list("enterprise_id", "parcel_id")
    )
    firms = [
        e
        for e in Enterprise.objects.filter(
            zone=zone, status__in=IN_BUSINESS, founded_on__lte=date(year, 12, 31)
        ).only("id", "name", "land_area_mu", "founded_on")
        if e.id in above or e.land_area_mu > 0 or e.id in occupancy
    ]
    # A published evaluation counts reviewed reports only, like every figure of the zone.
    figures, held = read_firm_figures(
        {e.id for e in firms}, year, convention, Counting.for_zone(zone)
    )
    facts = [
        compute.FirmFacts(
            enterprise_id=e.id,
            name=e.name,
            above_scale=e.id in above,
            land_mu=e.land_area_mu,
            founded_on=e.founded_on,
            figures=figures[e.id],
            parcel_id=occupancy.get(e.id),
        )
        for e in firms
    ]
    parcels = {
        p.id: compute.ParcelFacts(p.id, p.code, p.area_mu)
        for p in LandParcel.objects.filter(zone=zone)
    }
    return facts, parcels, held


# -- the evaluation and its life cycle -------------------------------------------------------


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _json_figures(figures: compute.Figures) -> dict:
    return {key: _text(value) for key, value in figures.items()}


def _json_items(items: list[compute.Item], units: dict[str, str]) -> list[dict]:
    return [
        {
            "measure": i.measure,
            "unit": units.get(i.measure, ""),
            "value": _text(i.value),
            "benchmark": str(i.benchmark),
            "weight": str(i.weight),
            "points": str(i.points.quantize(FOUR_PLACES)),
            "cap_points": _text(i.cap_points),
            "capped": i.capped,
            "imputed": i.imputed,
        }
        for i in items
    ]


@transaction.atomic
def compute_evaluation(zone: Zone, year: int, actor: object) -> EvaluationRun:
    """Evaluate the zone's enterprises for `year` with its schemes, as a draft. Computing
    again replaces a draft's results; overrides carry over to the same subject."""
    _require(actor, zone)
    schemes = {
        s.group: s
        for s in Scheme.objects.filter(zone=zone, year=year).prefetch_related("indicators")
    }
    if not schemes:
        raise EvaluationRefused(
            _("There is no evaluation scheme for %(year)s: add one in the administration.")
            % {"year": year}
        )
    run = EvaluationRun.objects.select_for_update().filter(zone=zone, year=year).first()
    if run is not None and run.status != RunStatus.DRAFT:
        raise EvaluationRefused(_("A published or final evaluation cannot be computed again."))
    kept = {}
    if run is None:
        run = EvaluationRun.objects.create(zone=zone, year=year, computed_at=timezone.now())
    else:
        kept = {
            r.key: (r.grade, r.override_reason) for r in run.results.exclude(override_reason="")
        }
        run.results.all().delete()
        run.computed_at = timezone.now()
        run.save(update_fields=["computed_at"])
    convention = next(iter(schemes.values())).energy_convention
    facts, parcels, held = _facts(zone, year, convention)
    run.held_out = [
        {
            "enterprise": h.enterprise_id,
            "month": h.month,
            "status": h.status,
            "reason": h.reason,
            "warning": h.warning,
        }
        for h in held
    ]
    run.save(update_fields=["held_out"])
    rules = {group: scheme_rules(s) for group, s in schemes.items()}
    outcomes = compute.evaluate(facts, parcels, rules, year)
    units = {i.measure: i.unit for s in schemes.values() for i in s.indicators.all()}
    results = []
    for o in outcomes:
        grade, reason = kept.get(o.key, (o.grade, ""))
        results.append(
            Result(
                run=run,
                key=o.key,
                group=o.group,
                parcel_id=o.parcel_id,
                name=o.name[:300],
                land_mu=o.land_mu,
                figures=_json_figures(o.figures),
                items=_json_items(o.items, units),
                score=None if o.score is None else o.score.quantize(FOUR_PLACES),
                rank=o.rank,
                computed_grade=o.grade,
                grade=grade if reason else o.grade,
                ungraded_reason=o.ungraded_reason,
                override_reason=reason,
            )
        )
    Result.objects.bulk_create(results, batch_size=1000)
    by_firm = {f.enterprise_id: f for f in facts}
    ResultMember.objects.bulk_create(
        (
            ResultMember(
                run=run,
                result=result,
                enterprise_id=pk,
                land_mu=by_firm[pk].land_mu,
                figures=_json_figures(by_firm[pk].figures),
            )
            for result, outcome in zip(results, outcomes, strict=True)
            for pk in outcome.enterprise_ids
        ),
        batch_size=2000,
    )
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[f"{result.group}:{result.grade}"] += 1
    _event(run, EventKind.COMPUTED, actor, subjects=len(results), grades=dict(counts))
    return run


def _locked_in(run: EvaluationRun, actor: object, source: str) -> EvaluationRun:
    """The run, locked for the step, if it is in the state the step starts from."""
    _require(actor, run.zone)
    locked = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != source:
        raise EvaluationRefused(
            _("The evaluation is %(status)s; this step needs it to be %(needed)s.")
            % {"status": locked.get_status_display(), "needed": RunStatus(source).label}
        )
    return locked


def earliest_objection_end(start: date) -> date:
    """The last day of the shortest 公示 period starting on `start`: the working days it must
    last, `start` counted when it is one."""
    return workdays.add_working_days(start - timedelta(days=1), PUBLICITY_WORKING_DAYS)


@transaction.atomic
def publish_evaluation(run: EvaluationRun, actor: object, until: date | None = None) -> None:
    """Publish the draft for objection (公示) from today to `until` (at least
    PUBLICITY_WORKING_DAYS working days; that is the default): enterprises now see their
    results and may object."""
    locked = _locked_in(run, actor, RunStatus.DRAFT)
    today = timezone.localdate()
    shortest = earliest_objection_end(today)
    until = until or shortest
    if until < shortest:
        raise EvaluationRefused(
            _(
                "The objection period lasts at least %(n)d working days: from %(start)s to "
                "%(end)s at the earliest."
            )
            % {"n": PUBLICITY_WORKING_DAYS, "start": _day(today), "end": _day(shortest)}
        )
    for target in (run, locked):
        target.status = RunStatus.PUBLISHED
        target.published_at = timezone.now()
        target.objection_from, target.objection_until = today, until
    locked.save(update_fields=["status", "published_at", "objection_from", "objection_until"])
    _event(run, EventKind.PUBLISHED, actor, objection_from=str(today), objection_until=str(until))


def objections_open(run: EvaluationRun) -> bool:
    """Whether an enterprise may object today."""
    today = timezone.localdate()
    return (
        run.status == RunStatus.PUBLISHED
        and run.objection_from is not None
        and run.objection_from <= today <= run.objection_until
    )


@transaction.atomic
def finalise_evaluation(run: EvaluationRun, actor: object) -> None:
    """Close the evaluation once its 公示 period is over and every objection is answered:
    grades no longer change."""
    locked = _locked_in(run, actor, RunStatus.PUBLISHED)
    if locked.objection_until and timezone.localdate() <= locked.objection_until:
        raise EvaluationRefused(
            _(
                "The objection period runs until %(end)s; the result can be made final from "
                "the day after."
            )
            % {"end": _day(locked.objection_until)}
        )
    waiting = locked.objections.filter(status=ObjectionStatus.OPEN).count()
    if waiting:
        raise EvaluationRefused(
            ngettext(
                "%(n)d objection is still unanswered; answer it first.",
                "%(n)d objections are still unanswered; answer them first.",
                waiting,
            )
            % {"n": waiting}
        )
    for target in (run, locked):
        target.status = RunStatus.FINAL
        target.finalised_at = timezone.now()
    locked.save(update_fields=["status", "finalised_at"])
    _event(run, EventKind.FINALISED, actor)


@transaction.atomic
def raise_objection(result: Result, enterprise: Enterprise, text: str, actor: object):
    """Record an enterprise's objection to its result, by its own user or by zone staff who
    received it on paper; only while 公示 runs."""
    run = EvaluationRun.objects.select_for_update().get(pk=result.run_id)
    scope = tenancy.scope_of(actor)  # type: ignore[arg-type]
    own = scope.role == Role.ENTERPRISE and enterprise.pk in scope.enterprise_ids
    if not own:
        _require(actor, run.zone)
    if not result.members.filter(enterprise=enterprise).exists():
        raise EvaluationRefused(_("The enterprise is not part of this result."))
    if not objections_open(run):
        raise EvaluationRefused(_("Objections are taken only during the objection period."))
    text = text.strip()
    if not text:
        raise EvaluationRefused(_("Say what the objection is."))
    objection = Objection.objects.create(
        run=run, result=result, enterprise=enterprise, text=text[:2000], raised_by=actor
    )
    _event(run, EventKind.OBJECTION, actor, result=result, objection=objection.pk)
    return objection


@transaction.atomic
def answer_objection(
    objection: Objection, upheld: bool, answer: str, actor: object, grade: str = ""
) -> None:
    """Answer an objection with the reason; an upheld one may set the grade it asked for."""
    run = objection.run
    _require(actor, run.zone)
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise EvaluationRefused(_("This objection is already answered."))
    answer = answer.strip()
    if not answer:
        raise EvaluationRefused(_("Say why the objection is or is not upheld."))
    if grade and not upheld:
        raise EvaluationRefused(_("Only an upheld objection changes the grade."))
    if grade:
        override_grade(objection.result, grade, answer, actor)
    locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    locked.answer = answer[:2000]
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    objection.status = locked.status
    _event(run, EventKind.ANSWERED, actor, result=objection.result, upheld=upheld, grade=grade)
    notifications.notify(
        notifications.enterprise_users(objection.enterprise),
        "objection_answered",
        _("Your objection to the %(year)d evaluation is answered: %(status)s")
        % {"year": run.year, "status": locked.get_status_display()},
        locked.answer,
        f"{reverse('evaluation:enterprise', args=[objection.enterprise_id])}?year={run.year}",
    )


def _day(day: date) -> str:
    return f"{day.year}-{day.month:02d}-{day.day:02d}"


@transaction.atomic
def override_grade(result: Result, grade: str, reason: str, actor: object) -> None:
    """Set a subject's grade by hand (an upheld objection, a policy exemption), with the
    reason; setting the computed grade again removes the override."""
    run = result.run
    _require(actor, run.zone)
    if run.status == RunStatus.FINAL:
        raise EvaluationRefused(_("A final evaluation's grades no longer change."))
    if grade not in Grade.values:
        raise EvaluationRefused(_("Unknown grade “%(grade)s”.") % {"grade": grade})
    reason = reason.strip()
    if grade != result.computed_grade and not reason:
        raise EvaluationRefused(_("Say why the grade is changed."))
    old = result.grade
    result.grade = grade
    result.override_reason = reason[:500] if grade != result.computed_grade else ""
    result.save(update_fields=["grade", "override_reason"])
    _event(run, EventKind.OVERRIDDEN, actor, result=result, old=old, new=grade, reason=reason)


def groups_evaluated(run: EvaluationRun) -> list[str]:
    present = set(run.results.values_list("group", flat=True))
    return [g for g in SubjectGroup.values if g in present]
