"""The recall pages as the quality engineer reads them: the confirmation says what executing
marks, long scopes come a page at a time, criteria, steps and dispositions are words."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from parkbrain.trace import recall, views
from parkbrain.trace.products import gtin_of, save_products

from .test_recall import HEAT, S1, plant  # noqa: F401

pytestmark = pytest.mark.django_db


def _will_mark(html: str) -> int:
    return int(re.search(r'data-testid="recall-will-mark" data-count="(\d+)"', html).group(1))


@pytest.mark.parametrize("include_shipped", [False, True])
def test_the_confirmation_counts_exactly_what_executing_marks(
    client,
    plant,  # noqa: F811
    demo,
    include_shipped,
):
    order = recall.create_recall(
        demo.user("gear"), "hardness", {"epc": HEAT}, include_shipped=include_shipped
    )
    detail = reverse("trace:recall_detail", kwargs={"pk": order.pk})
    client.force_login(demo.user("gear"))
    page = client.get(detail)
    shown = _will_mark(page.content.decode())
    context = page.context
    assert shown == context["will_mark_stock"] + context["will_mark_shipped"]
    assert context["will_mark_shipped"] == (order.shipped_count if include_shipped else 0)
    assert f"{shown} 件（批）" in page.content.decode()
    client.post(detail)
    order.refresh_from_db()
    assert order.state == "executed" and order.marked_count == shown
    # Nothing was marked but what the confirmation counted.
    found = recall.recall_scope(order)
    assert sum(1 for i in found.items if i.status == recall.RECALLED) == shown


def test_a_long_scope_comes_a_page_at_a_time(client, plant, demo, monkeypatch):  # noqa: F811
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 3)
    client.force_login(demo.user("gear"))
    first = client.get(reverse("trace:recall"), {"epc": HEAT})
    assert len(first.context["view"]["items"]) == 3
    assert first.context["view"]["items_page"].paginator.count == 7
    assert 'data-testid="affected-pager"' in first.content.decode()
    last = client.get(reverse("trace:recall"), {"epc": HEAT, "page": 3})
    assert [row["item"].uri for row in last.context["view"]["items"]] == [
        first.context["scope"].items[6].uri
    ]
    assert "epc=" in last.context["view"]["query"] and "page" not in last.context["view"]["query"]
    # The suspect identifiers too: the first few and a count.
    monkeypatch.setattr(views, "STARTS_SHOWN", 0)
    page = client.get(reverse("trace:recall"), {"epc": HEAT}).content.decode()
    starts = page.split('data-testid="recall-starts">')[1].split("</p>")[0]
    assert HEAT not in starts and 'data-testid="recall-more-starts"' in starts


def test_criteria_steps_and_dispositions_are_words_on_the_page_and_in_the_workbook(
    client,
    plant,  # noqa: F811
    demo,
):
    save_products(demo.firms["gear"], [{"gtin": gtin_of(S1), "name": "二挡从动齿轮"}])
    order = recall.create_recall(demo.user("gear"), "hardness", {"epc": HEAT})
    client.force_login(demo.user("gear"))
    page = client.get(reverse("trace:recall_detail", kwargs={"pk": order.pk})).content.decode()
    assert '<small class="muted">二挡从动齿轮</small>' in page  # the serial's product, by name
    criteria = page.split('data-testid="recall-criteria">')[1].split("</dd>")[0]
    assert "起点：可疑批次或序列号" in criteria and "HEAT-1" in criteria
    assert "start=" not in criteria
    assert "发货" in page  # the shipped gear's last step, by name
    with translation.override("zh-hans"):
        report = client.get(reverse("trace:recall_report", kwargs={"pk": order.pk, "fmt": "xlsx"}))
    book = load_workbook(io.BytesIO(report.content))
    sheets = book.sheetnames
    affected = list(book[sheets[2]].iter_rows(values_only=True))
    shipped = next(row for row in affected if row[0] == S1)
    assert shipped[3] == "发货" and shipped[6] == "在途"
    criteria_rows = {row[0]: row[1] for row in book[sheets[0]].iter_rows(values_only=True)}
    assert criteria_rows["起点"] == "可疑批次或序列号"
