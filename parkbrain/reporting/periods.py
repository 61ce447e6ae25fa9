"""Which months can be reported: only those that are over."""

from datetime import date


def month_before(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def last_complete_month(today: date) -> tuple[int, int]:
    return month_before(today.year, today.month)


def recent_months(today: date, count: int) -> list[tuple[int, int]]:
    """The last `count` months that are over on `today`, oldest first."""
    months = [last_complete_month(today)]
    while len(months) < count:
        months.append(month_before(*months[-1]))
    return months[::-1]


def months_over(year: int, today: date) -> list[int]:
    """The months of `year` that are over on `today`."""
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def month_after(year: int, month: int) -> tuple[int, int]:
    return (year, month + 1) if month < 12 else (year + 1, 1)
