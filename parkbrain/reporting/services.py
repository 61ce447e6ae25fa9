"""The only code that writes reports: save figures from any channel, submit, accept, return."""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.core.bulk import collector_paused, insert_rows
from parkbrain.notifications import services as notifications
from parkbrain.registry import tenancy, uscc
from parkbrain.registry.models import Enterprise
from parkbrain.registry.services import acting, actor_fields, changing_figures, figures_changed

from . import compute
from .choices import Channel, EnergyConvention, ReportStatus
from .models import (
    ImportFile,
    Indicator,
    MonthlyReport,
    ReportRevision,
    ReportValue,
    ReportWarning,
    StatusChange,
)
from .signals import reports_in
from .validation import Checked, IncomingRow, Problem, Series, validate

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
MICRO = Decimal("0.000001")


class ReportsRejected(Exception):
    """Nothing was saved; `problems` says why, row by row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class ReviewRefused(Exception):
    pass


@dataclass
class SaveResult:
    reports_created: int = 0
    reports_changed: int = 0
    reports_unchanged: int = 0
    values_changed: int = 0
    submitted: int = 0
    report_ids: list[int] = field(default_factory=list)  # one per row, in order

    @property
    def unchanged(self) -> bool:
        return not (self.reports_created or self.reports_changed or self.submitted)


@dataclass(frozen=True)
class Prechecked:
    """A batch validated outside the writing transaction, with what its enterprises' reports
    looked like before the check began."""

    checked: Checked
    stamp: tuple


def _credit_codes(rows: list[IncomingRow]) -> set[str]:
    return {uscc.normalise(str(row.credit_code or "")) for row in rows}


def _stamp(credit_codes: set[str]) -> tuple:
    """Changes on the enterprises' reports since a moment: every save writes a revision, every
    review a status change, and a deleted report takes its rows with it."""
    reports = MonthlyReport.objects.filter(enterprise__credit_code__in=credit_codes)
    return (
        reports.aggregate(n=Count("id"), last=Max("id"), updated=Max("updated_at")),
        ReportRevision.objects.filter(report__in=reports).aggregate(n=Count("id"), last=Max("id")),
        StatusChange.objects.filter(report__in=reports).aggregate(n=Count("id"), last=Max("id")),
    )


def precheck(
    rows: list[IncomingRow], principal: object, today: date | None = None, progress=None
) -> Prechecked:
    """Validate a large batch before writing it, so the writing transaction stays short and
    no other writer waits through the check (see save_reports)."""
    stamp = _stamp(_credit_codes(rows))
    return Prechecked(validate(rows, principal, today or timezone.localdate(), progress), stamp)


@transaction.atomic
@changing_figures()
def save_reports(
    rows: list[IncomingRow],
    principal: object,
    channel: Channel,
    submit: bool = False,
    today: date | None = None,
    prechecked: Prechecked | None = None,
) -> SaveResult:
    """Validate the whole batch, then write it at once: new and changed values with their
    history, optionally submitting the reports. Sending the same batch again changes nothing.
    A batch `prechecked` is not checked again unless its enterprises' reports changed since."""
    today = today or timezone.localdate()
    credit_codes = _credit_codes(rows)
    _take_turns(credit_code__in=credit_codes)
    if prechecked is not None and prechecked.stamp == _stamp(credit_codes):
        checked = prechecked.checked
    else:
        checked = validate(rows, principal, today)
    if checked.problems:
        raise ReportsRejected(checked.problems)
    clean = checked.clean
    actor = actor_fields(principal)
    user_id = actor["changed_by"].pk if actor["changed_by"] else None
    token_id = actor["token"].pk if actor["token"] else None
    now = timezone.now()
    indicators = {i.code: i for i in Indicator.objects.all()}
    enterprise_ids = {row.enterprise.id for row in clean}
    years = {row.year for row in clean}
    period_reports = MonthlyReport.objects.filter(enterprise_id__in=enterprise_ids, year__in=years)
    there = set(period_reports.values_list("enterprise_id", "year", "month"))
    new_keys = [
        (row.enterprise.id, row.year, row.month)
        for row in clean
        if (row.enterprise.id, row.year, row.month) not in there
    ]
    insert_rows(
        MonthlyReport,
        ("enterprise", "year", "month", "status", "return_reason", "updated_at"),
        ((e, y, m, ReportStatus.DRAFT, "", now) for e, y, m in new_keys),
        prepare=("updated_at",),
    )
    keyed = period_reports.values_list("enterprise", "year", "month", "id")
    existing = {(e, y, m): pk for e, y, m, pk in keyed}
    fresh = {existing[key] for key in new_keys}
    report_ids = [existing[(row.enterprise.id, row.year, row.month)] for row in clean]
    # (report, indicator) → (value id, value), as plain rows: a correction file reads
    # hundreds of thousands, and model instances cost more than the rest of the save.
    stored = {
        (report_id, indicator_id): (pk, value)
        for pk, report_id, indicator_id, value in ReportValue.objects.filter(
            report__in=[pk for pk in report_ids if pk not in fresh]
        ).values_list("id", "report_id", "indicator_id", "value")
    }
    to_create, to_update, to_delete, revisions = [], [], [], []
    changed_ids: set[int] = set()
    result = SaveResult(reports_created=len(new_keys), report_ids=report_ids)
    indicator_ids = {code: indicator.pk for code, indicator in indicators.items()}
    for row, report_id in zip(clean, report_ids, strict=True):
        changes = {}
        for code, value in row.values.items():
            indicator_id = indicator_ids[code]
            current = stored.get((report_id, indicator_id))
            if current is None:
                to_create.append((report_id, indicator_id, value))
                changes[code] = [None, str(value)]
            elif current[1] != value:
                changes[code] = [str(current[1]), str(value)]
                to_update.append((report_id, indicator_id, value))
        for code in row.clear:
            current = stored.get((report_id, indicator_ids[code]))
            if current is not None:
                changes[code] = [str(current[1]), None]
                to_delete.append(current[0])
        if changes:
            changed_ids.add(report_id)
            revisions.append((report_id, changes, now, user_id, token_id, channel))
        result.values_changed += len(changes)
        if report_id not in fresh:
            if changes:
                result.reports_changed += 1
            else:
                result.reports_unchanged += 1
    insert_rows(ReportValue, ("report", "indicator", "value"), to_create)
    # One upsert: bulk_update's CASE per batch took most of a large correction file's time.
    insert_rows(
        ReportValue,
        ("report", "indicator", "value"),
        to_update,
        upsert=(("report", "indicator"), ("value",)),
    )
    ReportValue.objects.filter(pk__in=to_delete).delete()
    insert_rows(
        ReportRevision,
        ("report", "changes", "changed_at", "changed_by", "token", "channel"),
        revisions,
        prepare=("changes", "changed_at"),
    )
    if submit:
        # A report left with no figures (all cleared) is not submitted.
        filled = list(
            MonthlyReport.objects.filter(
                pk__in=report_ids, status__in=EDITABLE, values__isnull=False
            ).distinct()
        )
        result.submitted = _move(filled, ReportStatus.SUBMITTED, principal, channel)
        changed_ids.update(report.pk for report in filled)
    # The time of the last change: a report sent again unchanged keeps it (new ones carry it).
    touched = sorted(changed_ids - fresh)
    for start in range(0, len(touched), 900):
        MonthlyReport.objects.filter(pk__in=touched[start : start + 900]).update(updated_at=now)
    refresh_warnings({(row.enterprise.id, row.year) for row in clean}, known=checked.after)
    _announce_in(changed_ids)
    # Unchanged figures leave the warnings as the last save computed them.
    if not result.unchanged:
        figures_changed(zones={row.enterprise.zone_id for row in clean})
    return result


def _announce_in(report_ids: set[int]) -> None:
    ids = sorted(report_ids)
    reports = []
    for start in range(0, len(ids), 900):
        reports.extend(
            MonthlyReport.objects.filter(
                pk__in=ids[start : start + 900],
                status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
            ).values_list("enterprise_id", "year", "month")
        )
    if reports:
        reports_in.send(sender=MonthlyReport, reports=reports)


def _take_turns(**enterprises: object) -> None:
    """Writers of one enterprise's reports take turns until commit: a year-to-date figure is
    checked against the firm's other months, and a status against what another writer just
    did. A row lock that leaves other tables' references to the enterprise alone (PostgreSQL;
    SQLite's IMMEDIATE transactions already take turns for the whole database)."""
    list(
        Enterprise.objects.select_for_update(no_key=True)
        .filter(**enterprises)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked(report: MonthlyReport) -> MonthlyReport:
    """The report as it is now, locked for the rest of the transaction (its enterprise too,
    so a review and a save of the same firm take turns)."""
    _take_turns(pk=report.enterprise_id)
    return MonthlyReport.objects.select_for_update(no_key=True).get(pk=report.pk)


REVIEW_FIELDS = ("status", "submitted_at", "reviewed_at", "reviewed_by_id", "return_reason")


def _moved(
    report: MonthlyReport,
    allowed: tuple[str, ...],
    refusal: str,
    status: ReportStatus,
    principal: object,
    channel: Channel,
    reason: str = "",
) -> None:
    """Move the report from one of the `allowed` statuses as it stands under the lock, and
    update the caller's copy."""
    current = _locked(report)
    if current.status not in allowed:
        raise ReviewRefused(refusal)
    _move([current], status, principal, channel, reason)
    for name in REVIEW_FIELDS:
        setattr(report, name, getattr(current, name))


def _move(
    reports: list[MonthlyReport],
    status: ReportStatus,
    principal: object,
    channel: Channel,
    reason: str = "",
) -> int:
    now = timezone.now()
    changes = []
    for report in reports:
        changes.append(
            StatusChange(
                report=report,
                old_status=report.status,
                new_status=status,
                reason=reason,
                channel=channel,
                **actor_fields(principal),
            )
        )
        report.status = status
        if status == ReportStatus.SUBMITTED:
            report.submitted_at = now
            report.return_reason = ""
        elif status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            report.reviewed_at = now
            report.reviewed_by = acting(principal)[0]
            report.return_reason = reason
    MonthlyReport.objects.bulk_update(
        reports, ["status", "submitted_at", "reviewed_at", "reviewed_by", "return_reason"]
    )
    StatusChange.objects.bulk_create(changes)
    figures_changed(enterprises={report.enterprise_id for report in reports})
    return len(reports)


@transaction.atomic
@changing_figures()
def submit_report(report: MonthlyReport, principal: object, channel: Channel) -> None:
    if not report.values.exists():
        raise ReviewRefused(_("An empty report cannot be submitted."))
    refusal = _("Only a draft or returned report can be submitted.")
    _moved(report, EDITABLE, refusal, ReportStatus.SUBMITTED, principal, channel)
    _announce_in({report.pk})


@transaction.atomic
@changing_figures()
def withdraw_report(report: MonthlyReport, principal: object, channel: Channel) -> None:
    """Take a submitted report back to a draft before anyone has reviewed it, to correct it."""
    refusal = _("Only a submitted report not yet reviewed can be withdrawn.")
    allowed = (ReportStatus.SUBMITTED,)
    _moved(report, allowed, refusal, ReportStatus.DRAFT, principal, channel)


def _require_reviewer(principal: object) -> None:
    if not tenancy.scope_of(principal).sees_whole_zone:  # type: ignore[arg-type]
        raise ReviewRefused(_("Only the zone's administrators and analysts review reports."))


@transaction.atomic
def accept_report(report: MonthlyReport, reviewer) -> None:
    _require_reviewer(reviewer)
    refusal = _("Only a submitted report can be accepted.")
    allowed = (ReportStatus.SUBMITTED,)
    _moved(report, allowed, refusal, ReportStatus.ACCEPTED, reviewer, Channel.REVIEW)


@transaction.atomic
def return_report(report: MonthlyReport, reviewer, reason: str) -> None:
    _require_reviewer(reviewer)
    if not reason.strip():
        raise ReviewRefused(_("Say why the report is returned."))
    refusal = _("Only a submitted or accepted report can be returned.")
    allowed = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    _moved(
        report, allowed, refusal, ReportStatus.RETURNED, reviewer, Channel.REVIEW, reason.strip()
    )
    notifications.notify(
        notifications.enterprise_users(report.enterprise),
        "report_returned",
        _("The report of %(year)d-%(month)02d was returned")
        % {"year": report.year, "month": report.month},
        reason.strip(),
        reverse("reporting:month", args=[report.enterprise_id, report.year, report.month]),
    )


def refresh_warnings(enterprise_years: set[tuple[int, int]], known: Series | None = None) -> None:
    """Recompute the plausibility warnings of these enterprise-years and of the year after
    (whose comparisons use them). `known` holds enterprise-years' figures already in hand.
    The caller, which changed the figures, gives them a new version (figures_changed)."""
    if not enterprise_years:
        return
    enterprise_ids = {e for e, _y in enterprise_years}
    years = {y for _e, y in enterprise_years} | {y + 1 for _e, y in enterprise_years}
    wanted = [
        (pk, enterprise_id, year, month)
        for pk, enterprise_id, year, month in MonthlyReport.objects.filter(
            enterprise_id__in=enterprise_ids, year__in=years
        ).values_list("id", "enterprise_id", "year", "month")
        if (enterprise_id, year) in enterprise_years
        or (enterprise_id, year - 1) in enterprise_years
    ]
    monthly = monthly_by_report(
        enterprise_ids,
        years | {y - 1 for y in years},
        compute.CoefficientTable.load(),
        codes=compute.PLAUSIBILITY_INPUTS,
        known=known,
    )
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))
    warnings = []
    for pk, enterprise_id, year, month in wanted:
        this = monthly.get((enterprise_id, year, month), {})
        before = monthly.get((enterprise_id, year - 1, month), {})
        for finding in compute.plausibility_findings(this, before):
            warnings.append(
                ReportWarning(
                    report_id=pk,
                    rule=finding.rule,
                    indicator_id=indicator_ids[finding.indicator],
                    message=_warning_text(finding),
                    this_value=finding.this_value.quantize(MICRO, ROUND_HALF_UP),
                    compared_value=finding.compared_value.quantize(MICRO, ROUND_HALF_UP),
                )
            )
    ReportWarning.objects.filter(report_id__in=[w[0] for w in wanted]).delete()
    ReportWarning.objects.bulk_create(warnings, batch_size=2000)


def _warning_text(finding: compute.Finding) -> str:
    if finding.rule == "output_swing":
        change = (finding.this_value / finding.compared_value - 1) * 100
        return _("Output changed %(change)+.0f%% against the same month last year.") % {
            "change": change
        }
    ratio = finding.this_value / finding.compared_value
    return _("Energy per unit of output is %(ratio).1f times the same month last year.") % {
        "ratio": ratio
    }


def monthly_by_report(
    enterprise_ids: set[int],
    years: set[int],
    table: compute.CoefficientTable,
    codes: tuple[str, ...] | None = None,
    convention: str = EnergyConvention.EQUIVALENT,
    known: Series | None = None,
) -> dict[tuple[int, int, int], dict[str, Decimal]]:
    """(enterprise, year, month) → each indicator's own monthly value, standard coal included
    (electricity converted by `convention`); `codes` limits the indicators read. The
    enterprise-years in `known` are taken from it instead of the database."""
    known = known or {}
    series: dict[tuple[int, int], dict[str, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    bases = {i.code: (i.basis, i.aggregation) for i in Indicator.objects.all()}
    for (enterprise_id, year), months in known.items():
        if enterprise_id in enterprise_ids and year in years:
            for month, values in months.items():
                for code, value in values.items():
                    if codes is None or code in codes:
                        series[(enterprise_id, year)][code][month] = value
    unread = {y for y in years if any((e, y) not in known for e in enterprise_ids)}
    rows = ReportValue.objects.filter(
        report__enterprise_id__in=enterprise_ids, report__year__in=unread
    )
    if codes is not None:
        rows = rows.filter(indicator__code__in=codes)
    for enterprise_id, year, month, code, value in rows.values_list(
        "report__enterprise_id", "report__year", "report__month", "indicator__code", "value"
    ):
        if (enterprise_id, year) not in known:
            series[(enterprise_id, year)][code][month] = value
    result: dict[tuple[int, int, int], dict[str, Decimal]] = defaultdict(dict)
    for (enterprise_id, year), by_code in series.items():
        energy_monthly: dict[int, dict[str, Decimal]] = defaultdict(dict)
        energy_reported: dict[int, set[str]] = defaultdict(set)
        for code, reported in by_code.items():
            basis, aggregation = bases[code]
            for month, value in compute.monthly_values(basis, aggregation, reported).items():
                result[(enterprise_id, year, month)][code] = value
                if code in compute.ENERGY_INDICATORS:
                    energy_monthly[month][code] = value
            if code in compute.ENERGY_INDICATORS:
                for month in reported:
                    energy_reported[month].add(code)
        for month, energy in energy_monthly.items():
            # Only when every energy figure of this month and the one before has its own
            # monthly value; a figure missing in one month would otherwise skew the sum.
            needed = energy_reported[month] | energy_reported.get(month - 1, set())
            if set(energy) != needed:
                continue
            try:
                tce = compute.standard_coal_tonnes(energy, table, year, convention)
            except LookupError:
                continue  # no coefficient for this year and convention: shown as unknown
            if tce is not None:
                result[(enterprise_id, year, month)]["energy_tce"] = tce
    return result


@dataclass
class ImportOutcome:
    record: ImportFile
    result: SaveResult | None = None
    problems: list[Problem] = field(default_factory=list)
    refusal: str = ""
    skipped: int = 0


def import_record(name: str, size: int, user, sha256: str) -> ImportFile:
    """The record of an upload, unsaved: whose, which zone, what file."""
    scope = tenancy.scope_of(user)
    return ImportFile(
        zone=tenancy.zone_of(user),
        enterprise_id=None if scope.sees_whole_zone else next(iter(scope.enterprise_ids), None),
        uploaded_by=user,
        file_name=name[:200],
        sha256=sha256,
        size_bytes=size,
    )


def refuse_file(name: str, size: int, user, reason: str) -> ImportOutcome:
    """Record a file refused before it was read (too large)."""
    record = import_record(name, size, user, sha256="")
    record.refusal = reason[:500]
    record.save()
    return ImportOutcome(record=record, refusal=reason)


def import_file(
    name: str,
    content: bytes,
    user,
    submit: bool = False,
    record: ImportFile | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportOutcome:
    """Read, validate and save an uploaded file; the upload is recorded either way (in
    `record` when the upload was recorded before, as a queued job's is). The rows are checked
    before the writing transaction begins, so a large file holds other writers up only while
    it is written."""
    from .spreadsheets import UploadRefused, read_upload

    record = record or import_record(name, len(content), user, hashlib.sha256(content).hexdigest())
    outcome = ImportOutcome(record=record)
    tell = progress or (lambda done, total, step: None)
    try:
        with collector_paused():
            tell(0, 0, _("Reading the file"))
            upload = read_upload(name, content)
            record.rows, outcome.skipped = len(upload.rows), upload.skipped
            checked = precheck(upload.rows, user, progress=progress)
            if checked.checked.problems:
                raise ReportsRejected(checked.checked.problems)
            tell(len(upload.rows), len(upload.rows), _("Saving"))
            outcome.result = save_reports(
                upload.rows, user, Channel.UPLOAD, submit=submit, prechecked=checked
            )
    except UploadRefused as refused:
        outcome.refusal = record.refusal = str(refused)[:500]
    except ReportsRejected as rejected:
        upload.locate(rejected.problems)
        outcome.problems = rejected.problems
        record.problem_count = len(rejected.problems)
    else:
        record.saved = True
        record.reports_created = outcome.result.reports_created
        record.reports_changed = outcome.result.reports_changed
        record.values_changed = outcome.result.values_changed
    record.save()
    return outcome
