from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "parkbrain.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import db  # registers the any_of lookup

        connection_created.connect(db.use_iso_timestamp_loader, dispatch_uid="parkbrain.timestamps")
