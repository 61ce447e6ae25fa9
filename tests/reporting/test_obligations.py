"""Months owed and their due dates, at dates around month ends, holidays and year ends."""

from datetime import date

import pytest

from parkbrain.reporting import obligations, services
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.validation import IncomingRow


def _save(firm, user, year, month, submit=False):
    row = IncomingRow(firm.credit_code, year, month, {"output_value": "100"})
    services.save_reports([row], user, Channel.FORM, submit=submit)


@pytest.mark.parametrize(
    "year, month, due",
    [
        (2026, 9, date(2026, 10, 13)),  # National Day, then a make-up Saturday (10 Oct)
        (2026, 1, date(2026, 2, 6)),
        (2026, 10, date(2026, 11, 6)),
    ],
)
def test_due_date_is_a_working_day_of_the_month_after(demo, year, month, due):
    assert obligations.due_date(demo.zone, year, month) == due


def test_the_zone_sets_the_working_day(demo):
    demo.zone.report_due_working_day = 1
    assert obligations.due_date(demo.zone, 2026, 9) == date(2026, 10, 8)


@pytest.mark.parametrize(
    "today, latest, overdue",
    [
        (date(2026, 11, 2), (2026, 10), False),  # the first working day of November
        (date(2026, 11, 6), (2026, 10), False),  # the due day itself
        (date(2026, 11, 9), (2026, 10), True),
        (date(2027, 1, 4), (2026, 12), False),  # due in a year whose holidays are unknown
    ],
)
def test_owed_months_with_due_dates(demo, today, latest, overdue):
    gear, user = demo.firms["gear"], demo.user("gear")
    _save(gear, user, 2026, 3, submit=True)
    _save(gear, user, 2026, 4)  # a draft is still owed
    owed = obligations.owed_months(gear, today)
    periods = [(o.year, o.month) for o in owed]
    assert (2026, 3) not in periods and (2026, 4) in periods
    assert periods[-1] == latest and periods == sorted(periods)
    assert owed[-1].overdue(today) is overdue
    assert owed[-1].provisional is (latest == (2026, 12))
    assert len(periods) <= obligations.WINDOW


def test_a_firm_below_designated_size_owes_nothing(demo):
    small = demo.zone.enterprises.exclude(above_scale_years__year__in=[2025, 2026]).first()
    assert obligations.owed_months(small, date(2026, 11, 26)) == []
