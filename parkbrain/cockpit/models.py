from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parkbrain.registry.models import Park, Zone
from parkbrain.reporting.models import Indicator


class AnnualTarget(models.Model):
    """A year's target for one of the cockpit's year-to-date figures, for the whole zone (no
    park) or one park, in the indicator's unit (yuan for money)."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="annual_targets", verbose_name=_("zone")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="annual_targets",
        verbose_name=_("park"),
        help_text=_("Empty for the whole zone."),
    )
    value = models.DecimalField(_("target"), max_digits=24, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        ordering = ["zone", "year", "park", "indicator__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year", "indicator", "park"],
                condition=Q(park__isnull=False),
                name="target_one_per_park",
            ),
            models.UniqueConstraint(
                fields=["zone", "year", "indicator"],
                condition=Q(park__isnull=True),
                name="target_one_per_zone",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_is_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year} {self.indicator.code}"
