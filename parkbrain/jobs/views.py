"""A person's jobs: the list, and one job's page that follows its progress."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import services
from .models import Job

LISTED = 30


def _own_job(request: HttpRequest, pk: int) -> Job:
    """The job if this user started it; 404 otherwise."""
    return get_object_or_404(services.visible_jobs(request.user), pk=pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = services.visible_jobs(request.user).defer("payload")[:LISTED]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    kind = services.KINDS.get(job.kind)
    return render(
        request, "jobs/detail.html", {"job": job, "outcome_template": kind.template if kind else ""}
    )


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, for the page to poll; once the job ends the page reloads to
    show the outcome."""
    job = _own_job(request, pk)
    response = render(request, "jobs/_progress.html", {"job": job})
    if job.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response
