"""Which months are open for reporting, at the dates where calendars go wrong: the first day of
a month, New Year's Eve and Day, a leap day and the day after."""

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.reporting.obligations import owed_months
from parkbrain.reporting.periods import last_complete_month, months_over

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (date(2026, 12, 1), (2026, 11)),
        (date(2026, 12, 31), (2026, 11)),
        (date(2027, 1, 1), (2026, 12)),
        (date(2027, 1, 31), (2026, 12)),
        (date(2027, 2, 1), (2027, 1)),
        (date(2028, 2, 29), (2028, 1)),
        (date(2028, 3, 1), (2028, 2)),
    ],
)
def test_the_latest_month_is_the_last_one_over(today, latest):
    assert last_complete_month(today) == latest


@pytest.mark.parametrize(
    ("year", "today", "months"),
    [
        (2026, date(2026, 12, 1), list(range(1, 12))),
        (2026, date(2027, 1, 1), list(range(1, 13))),
        (2027, date(2027, 1, 1), []),
        (2027, date(2027, 2, 1), [1]),
        (2028, date(2028, 2, 29), [1]),
        (2028, date(2028, 3, 1), [1, 2]),
        (2029, date(2028, 12, 31), []),
    ],
)
def test_months_over_in_a_year(year, today, months):
    assert months_over(year, today) == months


# Each date at two times of day: just after midnight and just before, in the zone's time, which
# are different days in UTC.
MOMENTS = [
    datetime.combine(day, moment, tzinfo=SHANGHAI)
    for day in (date(2026, 12, 1), date(2027, 1, 1), date(2028, 2, 29), date(2028, 3, 1))
    for moment in (time(0, 5), time(23, 55))
]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%d_%H%M"))
def test_the_month_form_opens_when_the_month_is_over(client, demo, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    year, month = last_complete_month(moment.date())
    assert client.get(reverse("reporting:month", args=[gear.pk, year, month])).status_code == 200
    current = reverse("reporting:month", args=[gear.pk, moment.year, moment.month])
    assert client.get(current).status_code == 404

    # The template offers the months owed, all of them over (else the latest month over).
    sheet = load_workbook(io.BytesIO(client.get(reverse("reporting:template")).content))["月报"]
    offered = [(row[2], row[3]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    owed = [(o.year, o.month) for o in owed_months(gear, moment.date())]
    assert offered == (owed or [(year, month)])
    assert all(m in months_over(y, moment.date()) for y, m in offered)
    assert (year, month) in offered or not owed


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS[::2], ids=lambda m: m.strftime("%Y-%m-%d"))
def test_the_cockpit_opens_on_the_last_month_over(client, demo, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    client.force_login(demo.user("analyst"))
    period = client.get(reverse("cockpit:dashboard")).context["period"]
    assert (period.year, period.month) == last_complete_month(moment.date())
    completeness = client.get(reverse("reporting:completeness")).context
    assert completeness["year"] == period.year
    assert completeness["months"] == months_over(period.year, moment.date())
