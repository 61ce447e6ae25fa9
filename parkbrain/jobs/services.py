"""The one job runner: start a job, run it in the worker, report its progress.

A job kind is a function `handler(job, progress) -> outcome` that an app registers at start-up
with `register`. `start` records a Job and queues it on django-tasks' database backend (no
server beyond the database); the worker (`parkbrain db_worker`, started by `make run` beside
the web server) runs it. A job runs at most once: a second delivery of a finished or running
job does nothing.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.registry.models import ApiToken, Enterprise, Zone

from .choices import JobState
from .models import Job

logger = logging.getLogger(__name__)
# Progress is written at most this often (seconds): a job's rows are not worth a write each.
PROGRESS_EVERY = 0.5


class Progress:
    """Tells the job's page how far the job has come, without writing on every step."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._written = 0.0
        self._step = job.step

    def __call__(self, done: int, total: int, step: str = "") -> None:
        now = time.monotonic()
        if step == self._step and now - self._written < PROGRESS_EVERY and done < total:
            return
        self._written, self._step = now, step
        total = max(total, done)
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, step=step[:200])
        self.job.done, self.job.total, self.job.step = done, total, step


Handler = Callable[[Job, Progress], dict]


@dataclass(frozen=True)
class Kind:
    handler: Handler
    template: str = ""  # shows the outcome on the job's page


KINDS: dict[str, Kind] = {}


def register(kind: str, handler: Handler, template: str = "") -> None:
    KINDS[kind] = Kind(handler, template)


def start(
    kind: str,
    title: str,
    principal: object,
    zone: Zone,
    enterprise: Enterprise | None = None,
    arguments: dict | None = None,
    payload: bytes | None = None,
) -> Job:
    """Record the job and queue it. The queue is a table of the same database, so the worker
    sees the job once the caller's transaction commits, and never if it rolls back."""
    from .tasks import run_job

    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    is_token = isinstance(principal, ApiToken)
    job = Job.objects.create(
        kind=kind,
        title=title[:200],
        zone=zone,
        enterprise=enterprise,
        started_by=None if is_token else principal,
        token=principal if is_token else None,
        arguments=arguments or {},
        payload=payload,
    )
    job.task_id = str(run_job.enqueue(job.pk).id)
    job.save(update_fields=["task_id"])
    return job


def run(job_id: int) -> None:
    """Run a queued job to its end, recording how it ended."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already run, or running in another worker
    job = Job.objects.get(pk=job_id)
    try:
        outcome = KINDS[job.kind].handler(job, Progress(job))
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            state=JobState.FAILED,
            finished_at=timezone.now(),
            payload=None,
            error=(_("The job stopped with an error: %(error)s") % {"error": error})[:1000],
        )
        raise
    Job.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED,
        finished_at=timezone.now(),
        payload=None,
        outcome=outcome or {},
        done=job.total or job.done,
        step="",
    )


def visible_jobs(principal: object):
    """The jobs a person or token started: a job is shown to whoever started it."""
    if isinstance(principal, ApiToken):
        return Job.objects.filter(token=principal)
    if not getattr(principal, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(started_by=principal)
