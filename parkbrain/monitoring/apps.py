from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "parkbrain.monitoring"
    verbose_name = _("Early warnings")

    def ready(self) -> None:
        from parkbrain.core import todo
        from parkbrain.reporting.signals import reports_in

        from .models import Alert, WarningRule
        from .todo import alert_tasks

        todo.provides("warnings", alert_tasks)
        reports_in.connect(_recheck, dispatch_uid="monitoring-recheck-quality")
        # Rules and warnings changed one at a time (acknowledge, resolve, a rule's edit, Django
        # admin) change the figures: live warnings, and reports a reviewed warning lets count.
        for signal in (post_save, post_delete):
            signal.connect(_rule_changed, sender=WarningRule, dispatch_uid="figures-rule")
            signal.connect(_alert_changed, sender=Alert, dispatch_uid="figures-alert")


def _recheck(sender: object, reports: list[tuple[int, int, int]], **kwargs: object) -> None:
    from .services import recheck_quality

    recheck_quality(reports)


def _rule_changed(sender: type, instance, **kwargs: object) -> None:
    from parkbrain.registry.services import figures_changed

    figures_changed(zones={instance.zone_id})


def _alert_changed(sender: type, instance, **kwargs: object) -> None:
    from parkbrain.registry.services import figures_changed

    figures_changed(enterprises={instance.enterprise_id})
