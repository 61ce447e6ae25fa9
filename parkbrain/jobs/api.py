"""GET /api/jobs/{id}: how a job the caller started stands."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from parkbrain.core.api import refusals

from . import services

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    done: int
    total: int
    step: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    outcome: dict
    error: str


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, **refusals(404, 422)},
    summary="A job the caller started",
)
def get_job(request: HttpRequest, job_id: int):
    return get_object_or_404(services.visible_jobs(request.auth).defer("payload"), pk=job_id)
