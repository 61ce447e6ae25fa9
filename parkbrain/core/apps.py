from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "parkbrain.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import db  # noqa: F401 - registers the any_of lookup
