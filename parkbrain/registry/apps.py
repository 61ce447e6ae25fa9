from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "parkbrain.registry"
    verbose_name = _("Zone registry")

    def ready(self) -> None:
        # The registry is edited row by row (Django admin), so its rows' own signals tell
        # when the zone's figures change; bulk writers call figures_changed themselves.
        from .models import AboveScaleYear, Enterprise, Industry, Park, RegionYear, Zone

        for model in (Enterprise, Park, Industry):
            uid = f"figures-{model.__name__}"
            for signal in (post_save, post_delete):
                signal.connect(_zone_row_changed, sender=model, dispatch_uid=uid)
        # A deleted zone takes its version with it.
        post_save.connect(_zone_changed, sender=Zone, dispatch_uid="figures-zone")
        for signal in (post_save, post_delete):
            signal.connect(_baseline_changed, sender=RegionYear, dispatch_uid="figures-region")
            signal.connect(_listed_changed, sender=AboveScaleYear, dispatch_uid="figures-above")


def _zone_row_changed(sender: type, instance, **kwargs: object) -> None:
    from .services import figures_changed

    figures_changed(zones={instance.zone_id})


def _zone_changed(sender: type, instance, **kwargs: object) -> None:
    from .services import figures_changed

    figures_changed(zones={instance.pk})


def _baseline_changed(sender: type, instance, **kwargs: object) -> None:
    from .models import Zone
    from .services import figures_changed

    zones = Zone.objects.filter(region_id=instance.region_id).values_list("pk", flat=True)
    figures_changed(zones=zones)


def _listed_changed(sender: type, instance, **kwargs: object) -> None:
    from .services import figures_changed

    figures_changed(enterprises={instance.enterprise_id})
