"""Names kept in two languages as data (indicators, industries, tags, warning rules): the
reader's language where the row has it, the Chinese name otherwise."""

from django.utils import translation


def local_name(row: object) -> str:
    """`row.name_en` for a reader not reading Chinese, when it is filled in; else `row.name`."""
    name = getattr(row, "name", "")
    if (translation.get_language() or "").startswith("zh"):
        return name
    return getattr(row, "name_en", "") or name
