"""Uploaded files are imported as background jobs: the upload is recorded and queued at once,
and the page that follows the job shows what became of the file when it is done."""

import hashlib

from django.utils.translation import gettext as _

from parkbrain.jobs import services as jobs
from parkbrain.jobs.models import Job

from . import services
from .models import ImportFile

KIND = "reporting.import"
PROBLEMS_KEPT = 500  # shown on the job's page; the count says how many there are in all


def queue_upload(name: str, content: bytes, user, submit: bool, back: str) -> Job:
    """Record the upload and queue its import; returns the job to follow."""
    record = services.import_record(name, len(content), user, hashlib.sha256(content).hexdigest())
    record.save()
    job = jobs.start(
        KIND,
        _("Import of %(name)s") % {"name": record.file_name},
        user,
        record.zone,
        enterprise=record.enterprise,
        arguments={"import_file": record.pk, "submit": submit, "back": back},
        payload=content,
    )
    record.job = job
    record.save(update_fields=["job"])
    return job


def run_upload(job: Job, progress: jobs.Progress) -> dict:
    """The job: import the file as the person who uploaded it."""
    record = ImportFile.objects.get(pk=job.arguments["import_file"])
    outcome = services.import_file(
        record.file_name,
        bytes(job.payload or b""),
        job.started_by,
        submit=job.arguments.get("submit", False),
        record=record,
        progress=progress,
    )
    result = outcome.result
    return {
        "saved": record.saved,
        "refusal": outcome.refusal,
        "rows": record.rows,
        "skipped": outcome.skipped,
        "problem_count": len(outcome.problems),
        "problems": [{**p.as_dict(), "cell": p.cell} for p in outcome.problems[:PROBLEMS_KEPT]],
        "reports_created": result.reports_created if result else 0,
        "reports_changed": result.reports_changed if result else 0,
        "values_changed": result.values_changed if result else 0,
        "submitted": result.submitted if result else 0,
        "unchanged": bool(result and result.unchanged),
    }
