"""Which months can be reported: only those that are over."""

from datetime import date


def last_complete_month(today: date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def months_over(year: int, today: date) -> list[int]:
    """The months of `year` that are over on `today`."""
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))
