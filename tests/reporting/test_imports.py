"""Uploads are imported by the job worker: the page answers at once, the job reports its
progress, and a long import keeps no other writer waiting while it checks the file."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse

from parkbrain.jobs.models import Job
from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.models import ImportFile, MonthlyReport
from parkbrain.reporting.validation import IncomingRow
from tests.conftest import AS_OF, _worker

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = AS_OF.year - 1
HEADER = "统一社会信用代码,年份,月份,工业总产值（当年价格）,用电量,营业收入,实缴税金"


def _csv(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("月报.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")


def test_an_upload_is_saved_by_the_worker_and_retried_safely(client, committed_demo, run_jobs):
    gear = committed_demo.firms["gear"]
    client.force_login(committed_demo.user("gear"))
    lines = [
        f"{gear.credit_code},{YEAR},{m},{m * 1000},{m * 50},{m * 990},{m}" for m in range(1, 13)
    ]
    first = client.post(reverse("reporting:upload"), {"file": _csv(lines), "submit": "1"})
    run_jobs()
    job = client.get(first["Location"]).context["job"]
    assert job.state == "succeeded"
    assert (job.outcome["reports_created"], job.outcome["submitted"]) == (12, 12)
    assert (job.done, job.total) == (12, 12)
    assert set(MonthlyReport.objects.filter(enterprise=gear).values_list("status", flat=True)) == {
        "submitted"
    }
    # The same file again: nothing changes, and the second record says so.
    again = client.post(reverse("reporting:upload"), {"file": _csv(lines), "submit": "1"})
    run_jobs()
    outcome = client.get(again["Location"]).context["job"].outcome
    assert (outcome["saved"], outcome["unchanged"], outcome["values_changed"]) == (True, True, 0)
    assert ImportFile.objects.filter(saved=True).count() == 2


def test_other_writers_do_not_wait_while_a_long_import_checks_its_rows(client, committed_demo):
    gear, ev = committed_demo.firms["gear"], committed_demo.firms["ev"]
    # 49,000 rows (the limit is 50,000), every one checked; all but the first repeat its
    # month, so nothing is saved.
    lines = [f"{gear.credit_code},{YEAR},1,{i},{i},{i}.5,{i}.25" for i in range(49_000)]
    client.force_login(committed_demo.user("gear"))
    client.post(reverse("reporting:upload"), {"file": _csv(lines)})
    job = Job.objects.get()
    worker = _worker(batch=True)

    def work() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        while True:
            job.refresh_from_db()
            if job.step == "正在校验数据行" and 0 < job.done < job.total:
                break
            assert job.state in ("queued", "running"), job.error
            time.sleep(0.02)
        # Mid-check, another enterprise's machine saves a month.
        row = IncomingRow(ev.credit_code, YEAR, 5, {"output_value": 500})
        saved = services.save_reports([row], committed_demo.user("ev"), Channel.API)
        job.refresh_from_db()
        assert saved.reports_created == 1
        assert job.state == "running" and job.done < job.total  # the import was still checking
    finally:
        thread.join(120)
    job.refresh_from_db()
    assert job.state == "succeeded" and not job.outcome["saved"]
    assert job.outcome["problem_count"] == 48_999
    assert not MonthlyReport.objects.filter(enterprise=gear).exists()
