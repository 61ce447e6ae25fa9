"""The zone registry: the region, the zone and its parks, industries, enterprises and roles."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from parkbrain.core.models import TimeStampedModel

from . import uscc
from .choices import (
    IN_BUSINESS,
    AccountAction,
    AreaKind,
    CodeLevel,
    EnterpriseStatus,
    Ownership,
    Role,
)
from .querysets import EnterpriseQuerySet

MU_PER_KM2 = Decimal(1500)  # 1 mu = 666.67 m², so 1 km² = 1,500 mu


class Region(models.Model):
    """The city or county a zone belongs to, identified by its GB/T 2260 division code."""

    name = models.CharField(_("name"), max_length=100)
    division_code = models.CharField(_("division code (GB/T 2260)"), max_length=6, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["division_code"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("division_code"), 6),
                name="region_division_code_6_chars",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RegionYear(models.Model):
    """The region's baseline for one year: land, people and the annual totals zones compare to."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="years", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=10, decimal_places=2)
    population = models.PositiveIntegerField(_("resident population (persons)"))
    industrial_output_yuan = models.DecimalField(
        _("industrial output of enterprises above designated size (yuan)"),
        max_digits=18,
        decimal_places=0,
    )
    industrial_investment_yuan = models.DecimalField(
        _("industrial investment (yuan)"), max_digits=18, decimal_places=0
    )
    foreign_investment_usd = models.DecimalField(
        _("foreign investment actually used (USD)"), max_digits=16, decimal_places=0
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("region baseline year")
        verbose_name_plural = _("region baseline years")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_year_unique"),
            models.CheckConstraint(condition=Q(area_km2__gt=0), name="region_year_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class Zone(models.Model):
    """An economic development zone (开发区) and its managing committee."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="zones", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Fictional data generated for demonstration.")
    )
    report_due_working_day = models.PositiveSmallIntegerField(
        _("monthly reports due on working day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text=_("A month's report is due on this working day of the month after it."),
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FiguresVersion(models.Model):
    """Stands for everything the zone's figures are computed from: each write that changes a
    figure gives it a new random number in the same transaction (services.figures_changed),
    so figures cached under an older number are never served again, by any process. Random,
    not counted: a count comes back after a rollback or a restored backup, and with it the
    figures cached under it."""

    zone = models.OneToOneField(
        Zone,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures_version",
        verbose_name=_("zone"),
    )
    number = models.BigIntegerField(_("version number"))

    class Meta:
        verbose_name = _("figures version")
        verbose_name_plural = _("figures versions")
        ordering = ["zone"]

    def __str__(self) -> str:
        return f"{self.zone} {self.number}"


class Park(models.Model):
    """A park (园) or centre (中心) of the zone, with its outline as GeoJSON (WGS 84)."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="parks", verbose_name=_("zone")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices)
    located_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centres",
        verbose_name=_("located in park"),
        help_text=_("A centre lies inside a park; its land is part of that park's."),
    )
    area_mu = models.DecimalField(_("area (mu)"), max_digits=12, decimal_places=2)
    population = models.PositiveIntegerField(_("resident population (persons)"), default=0)
    focus = models.CharField(_("focus"), max_length=200, blank=True)
    outline = models.JSONField(_("outline (GeoJSON geometry)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("park or centre")
        verbose_name_plural = _("parks and centres")
        ordering = ["zone", "kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="park_name_unique_in_zone"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="park_area_positive"),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.CENTRE) | Q(located_in__isnull=True),
                name="park_only_centres_lie_in_parks",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_km2(self) -> Decimal:
        return self.area_mu / MU_PER_KM2

    def clean(self) -> None:
        from .geo import contains, geometry_errors

        if self.located_in_id and (
            self.located_in.kind != AreaKind.PARK or self.located_in.zone_id != self.zone_id
        ):
            raise ValidationError({"located_in": _("A centre must lie in a park of its zone.")})
        if self.outline is not None and (errors := geometry_errors(self.outline)):
            raise ValidationError({"outline": errors})
        if (
            self.outline
            and self.located_in_id
            and self.located_in.outline
            and not contains(self.located_in.outline, self.outline)
        ):
            raise ValidationError(
                {"outline": _("The centre's outline must lie inside its park's outline.")}
            )


class IndustryCode(models.Model):
    """A code of the national industry classification GB/T 4754-2017 (with amendment No. 1)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=CodeLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("industry code (GB/T 4754-2017)")
        verbose_name_plural = _("industry codes (GB/T 4754-2017)")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Industry(models.Model):
    """One of the zone's own industries ("3+1"), mapped to GB/T 4754 codes at any level."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="industries", verbose_name=_("zone")
    )
    slug = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    codes = models.ManyToManyField(
        IndustryCode, related_name="zone_industries", verbose_name=_("GB/T 4754 codes")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("zone industry")
        verbose_name_plural = _("zone industries")
        ordering = ["zone", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "slug"], name="industry_slug_unique_in_zone"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A qualification an enterprise holds, such as 高新技术企业 or 专精特新."""

    slug = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.name


class Enterprise(TimeStampedModel):
    """A market entity registered in the zone, keyed by its unified social credit code."""

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("zone")
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=150, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    founded_on = models.DateField(_("founded on"))
    settled_on = models.DateField(
        _("settled in the zone on"),
        null=True,
        blank=True,
        help_text=_("The date the enterprise signed with the zone."),
    )
    registered_capital_yuan = models.DecimalField(
        _("registered capital (yuan)"), max_digits=18, decimal_places=2
    )
    industry_code = models.ForeignKey(
        IndustryCode,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("industry code (GB/T 4754)"),
        limit_choices_to={"level": CodeLevel.CLASS},
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("zone industry"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("park or centre"),
    )
    land_area_mu = models.DecimalField(
        _("land area (mu)"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.DOMESTIC
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="enterprises", verbose_name=_("tags")
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("credit_code"), 18), name="enterprise_credit_code_18_chars"
            ),
            # Search matches the code's start case-sensitively on PostgreSQL: store it upper-case.
            models.CheckConstraint(
                condition=Q(credit_code=Upper("credit_code")),
                name="enterprise_credit_code_upper_case",
            ),
            models.CheckConstraint(
                condition=Q(land_area_mu__gte=0), name="enterprise_land_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(registered_capital_yuan__gte=0),
                name="enterprise_capital_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_business(self) -> bool:
        return self.status in IN_BUSINESS

    @property
    def credit_code_parts(self) -> uscc.CreditCodeParts:
        return uscc.parts(self.credit_code)

    def clean_fields(self, exclude=None) -> None:
        # Codes are pasted with spaces and in lower case; normalise before the length check.
        self.credit_code = uscc.normalise(self.credit_code or "")
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        result = uscc.check(self.credit_code or "")
        if result.errors:
            errors["credit_code"] = result.errors
        if self.industry_code_id and self.industry_code.level != CodeLevel.CLASS:
            errors["industry_code"] = [_("Choose a four-digit class code.")]
        if self.industry_id and self.industry.zone_id != self.zone_id:
            errors["industry"] = [_("The industry belongs to another zone.")]
        if self.park_id and self.park.zone_id != self.zone_id:
            errors["park"] = [_("The park belongs to another zone.")]
        if errors:
            raise ValidationError(errors)


class AboveScaleYear(models.Model):
    """The enterprise counts as above designated size (规上) in this year.

    The list is re-determined every year, so an enterprise may enter and leave it.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="above_scale_years",
        verbose_name=_("enterprise"),
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)

    class Meta:
        verbose_name = _("above-designated-size year")
        verbose_name_plural = _("above-designated-size years")
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="above_scale_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class Membership(models.Model):
    """A user's role in a zone; enterprise users are bound to exactly one enterprise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("zone")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("enterprise"),
    )
    password_change_required = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator gives a temporary password."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["zone", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.ENTERPRISE) & Q(enterprise__isnull=False))
                | (~Q(role=Role.ENTERPRISE) & Q(enterprise__isnull=True)),
                name="membership_enterprise_iff_enterprise_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.enterprise_id and self.zone_id and self.enterprise.zone_id != self.zone_id:
            raise ValidationError({"enterprise": _("The enterprise belongs to another zone.")})


class AccountEvent(models.Model):
    """What a zone administrator did to a person's log-in, or the person to their own."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("zone")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("user"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AccountAction.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_action_display()}"


class Assignment(models.Model):
    """A project manager (项目经理人) serves an enterprise from this date."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("project manager"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("enterprise"),
    )
    since = models.DateField(_("since"))
    until = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("Last day of service; empty while it goes on."),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["manager", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "enterprise"], name="assignment_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="assignment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager} → {self.enterprise}"


class ApiToken(models.Model):
    """A machine's key for the API, bound to one enterprise. Only a SHA-256 digest is stored."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["enterprise", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
