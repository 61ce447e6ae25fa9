from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "parkbrain.reporting"
    verbose_name = _("Enterprise reporting")

    def ready(self) -> None:
        from parkbrain.core import todo
        from parkbrain.jobs.services import register

        from .imports import KIND, run_upload
        from .obligations import report_tasks

        register(KIND, run_upload, template="reporting/import_outcome.html")
        todo.provides("reports", report_tasks)
