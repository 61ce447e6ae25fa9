"""The job runner: a job runs once in the real worker, records how far it came and how it
ended, and is shown only to whoever started it."""

import pytest
from django.urls import reverse

from parkbrain.jobs import services
from parkbrain.jobs.models import Job
from parkbrain.registry.services import issue_api_token

pytestmark = pytest.mark.django_db(transaction=True)
RUNS: list[int] = []


def _count(job: Job, progress: services.Progress) -> dict:
    total = job.arguments["n"]
    for done in range(total + 1):
        progress(done, total, "counting")
    RUNS.append(job.pk)
    return {"counted": total}


def _fail(job: Job, progress: services.Progress) -> dict:
    progress(1, 3, "halfway")
    raise ValueError("the meter file is empty")


services.register("tests.count", _count)
services.register("tests.fail", _fail)


def test_a_job_runs_once_with_progress_and_outcome(committed_demo, run_jobs):
    user = committed_demo.user("gear")
    job = services.start("tests.count", "数一数", user, committed_demo.zone, arguments={"n": 7})
    assert (job.state, job.started_at, job.task_id != "") == ("queued", None, True)
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.outcome) == ("succeeded", 7, 7, {"counted": 7})
    assert job.started_at <= job.finished_at
    assert RUNS.count(job.pk) == 1
    services.run(job.pk)  # delivered again: nothing happens
    assert RUNS.count(job.pk) == 1


def test_a_failed_job_says_what_went_wrong(committed_demo, run_jobs):
    user = committed_demo.user("gear")
    job = services.start("tests.fail", "会失败", user, committed_demo.zone, payload=b"x" * 10)
    run_jobs()
    job.refresh_from_db()
    assert job.state == "failed" and "the meter file is empty" in job.error
    assert (job.done, job.total, job.step) == (1, 3, "halfway")
    assert job.payload is None  # the input is not kept once the job has ended


def test_only_the_starter_sees_a_job(client, committed_demo, run_jobs):
    zone = committed_demo
    job = services.start("tests.count", "数一数", zone.user("gear"), zone.zone, arguments={"n": 2})
    token, raw = issue_api_token(zone.firms["gear"], "mes")
    by_token = services.start("tests.count", "机器任务", token, zone.zone, arguments={"n": 1})
    run_jobs()
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:detail", "jobs:progress")]
    client.force_login(zone.user("gear"))
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get(reverse("jobs:list")).context["jobs"][0] == job
    assert client.get(f"/api/jobs/{job.pk}").json()["outcome"] == {"counted": 2}
    for other in ("ev", "analyst", "admin"):
        client.force_login(zone.user(other))
        for url in urls:
            assert client.get(url).status_code == 404
        assert client.get(f"/api/jobs/{job.pk}").status_code == 404
        assert list(client.get(reverse("jobs:list")).context["jobs"]) == []
    client.logout()
    assert client.get(urls[0])["Location"].startswith("/login/")
    # A machine sees the jobs its token started, and only those.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/jobs/{by_token.pk}", **bearer).json()["state"] == "succeeded"
    assert client.get(f"/api/jobs/{job.pk}", **bearer).status_code == 404


def test_the_progress_block_asks_the_page_to_reload_once_the_job_ends(client, committed_demo):
    zone = committed_demo
    job = services.start("tests.count", "数一数", zone.user("gear"), zone.zone, arguments={"n": 1})
    client.force_login(zone.user("gear"))
    url = reverse("jobs:progress", args=[job.pk])
    waiting = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in waiting and 'hx-trigger="every 1s"' in waiting.content.decode()
    services.run(job.pk)
    assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
