from datetime import date

import pytest

from parkbrain.core import workdays


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # a Saturday worked in its place (调休)
        (date(2026, 9, 20), True),  # a Sunday worked in its place
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2026, 2, 28), True),  # a Saturday worked after it
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 30), True),
    ],
)
def test_holidays_and_make_up_days(day, working):
    assert workdays.is_working_day(day) is working


def test_nth_working_day_skips_holidays_and_counts_make_up_saturdays():
    assert workdays.nth_working_day(2026, 10, 1) == date(2026, 10, 8)
    assert workdays.nth_working_day(2026, 10, 3) == date(2026, 10, 10)
    assert workdays.nth_working_day(2026, 10, 5) == date(2026, 10, 13)
    assert workdays.nth_working_day(2026, 11, 5) == date(2026, 11, 6)


def test_a_year_without_published_holidays_counts_weekdays_and_says_so():
    assert workdays.is_known_year(2026)
    assert not workdays.is_known_year(2040)
    assert workdays.nth_working_day(2040, 1, 1) == date(2040, 1, 2)  # a Monday; 1 Jan a Sunday
    assert not workdays.is_working_day(date(2040, 1, 7))


def test_working_days_between():
    assert workdays.working_days_between(date(2026, 11, 6), date(2026, 11, 26)) == 14
    assert workdays.working_days_between(date(2026, 11, 26), date(2026, 11, 6)) == -14
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert workdays.working_days_between(date(2026, 11, 6), date(2026, 11, 6)) == 0


def test_adding_working_days_skips_the_holidays_and_counts_the_make_up_saturday():
    # 中秋 on 25 September 2026, 国庆 1–7 October, Saturday 10 October worked.
    assert workdays.add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert workdays.add_working_days(date(2026, 11, 26), 5) == date(2026, 12, 3)
