"""Which months an enterprise still owes, and by when: a 规上 firm reports every month of a
year it is above designated size, by a working day of the month after (the zone's rule)."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from parkbrain.core import todo, workdays
from parkbrain.registry.models import AboveScaleYear, Enterprise, Zone

from .choices import ReportStatus
from .models import MonthlyReport
from .periods import month_after, recent_months

OWED = (ReportStatus.DRAFT, ReportStatus.RETURNED)
WINDOW = 12  # months looked back on the home page; older gaps are the analyst's reminder list


def due_date(zone: Zone, year: int, month: int) -> date:
    return workdays.nth_working_day(*month_after(year, month), zone.report_due_working_day)


@dataclass(frozen=True)
class OwedMonth:
    year: int
    month: int
    report: MonthlyReport | None  # none yet, a draft, or returned
    due: date
    provisional: bool  # the due date's month has no published holidays yet

    def overdue(self, today: date) -> bool:
        return today > self.due


def owed_months(enterprise: Enterprise, today: date, window: int = WINDOW) -> list[OwedMonth]:
    """The months over in the last `window` whose report is missing, a draft or returned, in
    years the enterprise is above designated size; oldest first."""
    months = recent_months(today, window)
    years = {year for year, _month in months}
    above = set(
        AboveScaleYear.objects.filter(enterprise=enterprise, year__in=years).values_list(
            "year", flat=True
        )
    )
    reports = {
        (r.year, r.month): r
        for r in MonthlyReport.objects.filter(enterprise=enterprise, year__in=years)
    }
    owed = []
    for year, month in months:
        report = reports.get((year, month))
        if year not in above or (report is not None and report.status not in OWED):
            continue
        due = due_date(enterprise.zone, year, month)
        provisional = not workdays.is_known_year(due.year)
        owed.append(OwedMonth(year, month, report, due, provisional))
    return owed


def report_tasks(user: object, enterprise: Enterprise, today: date) -> list[todo.Task]:
    tasks = []
    for owed in owed_months(enterprise, today):
        url = reverse("reporting:month", args=[enterprise.pk, owed.year, owed.month])
        period = _("%(year)d-%(month)02d") % {"year": owed.year, "month": owed.month}
        report = owed.report
        if report is not None and report.status == ReportStatus.RETURNED:
            title = _("Report for %(period)s was returned") % {"period": period}
            detail = _("Reason: %(reason)s") % {"reason": report.return_reason}
        elif report is not None:
            title = _("Report for %(period)s is a draft, not yet submitted") % {"period": period}
            detail = ""
        else:
            title = _("Report for %(period)s is due") % {"period": period}
            detail = ""
        overdue = owed.overdue(today)
        tasks.append(
            todo.Task(
                kind="report",
                title=title,
                url=url,
                urgency=todo.Urgency.OVERDUE if overdue else todo.Urgency.DUE,
                detail=detail,
                due=owed.due,
                provisional=owed.provisional,
            )
        )
    return tasks
