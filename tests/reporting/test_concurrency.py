"""Rules that span a firm's months hold when writers arrive at the same moment."""

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel, ReportStatus
from parkbrain.reporting.models import MonthlyReport, ReportValue, StatusChange
from parkbrain.reporting.validation import IncomingRow
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = AS_OF.year - 1  # every month of it is over


@pytest.fixture
def demo(committed_demo):
    return committed_demo


def _at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together, each on its own connection; returns each
    call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome to assert on
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def _save(firm, principal, month: int, output: int, submit: bool = False):
    row = IncomingRow(firm.credit_code, YEAR, month, {"output_value": output})
    return lambda: services.save_reports([row], principal, Channel.API, submit=submit)


def test_year_to_date_never_falls_under_parallel_writers(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    for _trial in range(5):
        MonthlyReport.objects.filter(enterprise=gear).delete()
        outcomes = _at_once([_save(gear, user, 5, 900_000), _save(gear, user, 6, 100_000)])
        refused = [o for o in outcomes if isinstance(o, services.ReportsRejected)]
        assert len(refused) == 1, outcomes
        assert [p.column for p in refused[0].problems] == ["工业总产值（当年价格）"]
        saved = dict(
            ReportValue.objects.filter(report__enterprise=gear).values_list(
                "report__month", "value"
            )
        )
        assert len(saved) == 1  # one month saved, the other refused against it


def test_parallel_submits_move_the_report_once(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    _save(gear, user, 3, 1000)()
    outcomes = _at_once([_save(gear, user, 3, 1000, submit=True) for _ in range(10)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.submitted for o in outcomes) == 1
    report = MonthlyReport.objects.get(enterprise=gear, year=YEAR, month=3)
    assert report.status == ReportStatus.SUBMITTED
    assert StatusChange.objects.filter(report=report).count() == 1


def test_parallel_reviews_move_the_report_once(demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 4, 1000, submit=True)()
    report = MonthlyReport.objects.get(enterprise=gear, year=YEAR, month=4)
    analyst = demo.user("analyst")

    def accept() -> None:
        services.accept_report(MonthlyReport.objects.get(pk=report.pk), analyst)

    outcomes = _at_once([accept for _ in range(6)])
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, services.ReviewRefused) for o in outcomes if o is not None)
    assert StatusChange.objects.filter(report=report, new_status="accepted").count() == 1
