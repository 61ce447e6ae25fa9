from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "parkbrain.monitoring"
    verbose_name = _("Early warnings")

    def ready(self) -> None:
        from parkbrain.reporting.signals import reports_in

        reports_in.connect(_recheck, dispatch_uid="monitoring-recheck-quality")


def _recheck(sender: object, reports: list[tuple[int, int, int]], **kwargs: object) -> None:
    from .services import recheck_quality

    recheck_quality(reports)
