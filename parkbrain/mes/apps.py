from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesConfig(AppConfig):
    name = "parkbrain.mes"
    verbose_name = _("Production orders (MES)")
