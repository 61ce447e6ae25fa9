"""The task the worker runs for every job."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> None:
    services.run(job_id)
