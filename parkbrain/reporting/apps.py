from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "parkbrain.reporting"
    verbose_name = _("Enterprise reporting")
