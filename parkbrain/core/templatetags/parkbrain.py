"""Template helpers shared by every app: number formats, chart data, sortable headers."""

from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from parkbrain.core.i18n import local_name
from parkbrain.core.people import person_name
from parkbrain.core.units import unit_symbol

register = template.Library()


register.filter("local_name", local_name)


@register.filter
def day_and_weekday(value) -> str:
    """A date near today as people say it: 11月6日（周五）, Nov. 6 (Fri)."""
    if not value:
        return ""
    return _("%(day)s (%(weekday)s)") % {
        "day": date_format(value, "MONTH_DAY_FORMAT"),
        "weekday": date_format(value, "D"),
    }


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """A ratio as a percentage; a dash when there is nothing to divide."""
    if not isinstance(value, int | float | Decimal):
        return "—"
    return f"{value * 100:.{digits}f}%"


register.filter("unit", unit_symbol)


@register.filter
def subtract(value: int, other: int) -> int:
    return value - other


@register.filter
def wan_yuan(value: Decimal | None) -> str:
    """Yuan shown in 万元 (ten thousand yuan), as Chinese registers and reports do."""
    if value is None:
        return "—"
    amount = Decimal(value) / 10_000
    # Large sums read best whole; small ones keep their fen-level detail.
    text = intcomma(f"{amount:.0f}" if abs(amount) >= 1000 else f"{amount:.2f}")
    return _("%(amount)s ten-thousand yuan") % {"amount": text}


@register.simple_tag
def chart_data(element_id: str, name: str, labels: Any, values: Any) -> SafeString:
    """Embed a series for charts.js: {"name", "labels", "values"}."""
    return json_script(
        {"name": str(name), "labels": [str(x) for x in labels], "values": list(values)},
        element_id,
    )


@register.simple_tag
def rows_chart_data(
    element_id: str, name: str, rows: list[dict], label_key: str, missing_label: str
) -> SafeString:
    """Embed grouped count rows ({label_key: …, "n": …}); rows without a label are named."""
    labels = [row[label_key] or str(missing_label) for row in rows]
    return json_script(
        {"name": str(name), "labels": labels, "values": [row["n"] for row in rows]}, element_id
    )


@register.simple_tag(takes_context=True)
def sort_header(context: dict, key: str, label: str) -> SafeString:
    """A column header that sorts by `key`, toggling between ascending and descending."""
    request = context["request"]
    current = request.GET.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    arrow = {key: " ▲", f"-{key}": " ▼"}.get(current, "")
    return format_html(
        '<a href="?{}" hx-get="?{}" hx-target="#results" hx-push-url="true">'
        '{}<span class="arrow">{}</span></a>',
        params.urlencode(),
        params.urlencode(),
        label,
        arrow,
    )


register.filter(person_name)


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key)
