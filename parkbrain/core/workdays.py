"""The working-day calendar every deadline uses: Chinese statutory holidays and the 调休
Saturdays and Sundays worked in their place, from the State Council's yearly notice as the
chinesecalendar package carries it. A year the notice has not yet covered counts weekdays only,
and says so, so a deadline in it is shown as provisional rather than silently wrong."""

from datetime import date, timedelta

import chinese_calendar


def is_known_year(year: int) -> bool:
    """Whether the holidays of `year` are published (and shipped) yet."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def nth_working_day(year: int, month: int, n: int) -> date:
    """The `n`-th working day of a month (1 is the first)."""
    day, seen = date(year, month, 1), 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


def add_working_days(start: date, n: int) -> date:
    """The `n`-th working day after `start` (`start` itself not counted; n ≥ 1)."""
    day, seen = start, 0
    while seen < n:
        day += timedelta(days=1)
        seen += is_working_day(day)
    return day
