"""Evaluation parameters in Django admin, for the zone's administrators and their zone only.

Results and their audit trail are read here; they change only through the pages (services).
"""

from django.contrib import admin
from django.http import HttpRequest

from parkbrain.registry import tenancy
from parkbrain.registry.admin import ZoneScopedAdmin
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Enterprise

from .models import (
    AnnualFigure,
    EvaluationRun,
    GradeEvent,
    LandParcel,
    ParcelOccupant,
    PolicyRate,
    Scheme,
    SchemeIndicator,
)


def _zone_admin(request: HttpRequest) -> bool:
    if request.user.is_superuser:
        return True
    return tenancy.scope_of(request.user).role == Role.ZONE_ADMIN


class EvaluationAdmin(ZoneScopedAdmin):
    """Zone administrators keep the evaluation's parameters; Django's per-model permissions
    are not granted for this app, the role decides."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _zone_admin(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return _zone_admin(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)


class ZoneInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)


class SchemeIndicatorInline(ZoneInline):
    model = SchemeIndicator
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(EvaluationAdmin):
    list_display = ["year", "group", "grading", "min_land_mu", "source"]
    list_filter = ["year", "group"]
    inlines = [SchemeIndicatorInline]


class ParcelOccupantInline(ZoneInline):
    model = ParcelOccupant
    extra = 1
    raw_id_fields = ["enterprise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        zone = tenancy.zone_of(request.user)
        if db_field.related_model is Enterprise and zone is not None:
            kwargs["queryset"] = Enterprise.objects.filter(zone=zone)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(LandParcel)
class LandParcelAdmin(EvaluationAdmin):
    list_display = ["code", "area_mu", "address"]
    search_fields = ["code", "address", "occupants__enterprise__name"]
    inlines = [ParcelOccupantInline]


@admin.register(AnnualFigure)
class AnnualFigureAdmin(EvaluationAdmin):
    zone_path = "enterprise__zone"
    list_display = [
        "enterprise",
        "year",
        "emissions_tonnes",
        "taxes_yuan",
        "electricity_kwh",
        "source",
    ]
    list_filter = ["year"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    raw_id_fields = ["enterprise"]


@admin.register(PolicyRate)
class PolicyRateAdmin(EvaluationAdmin):
    list_display = ["year", "resource", "grade", "yuan_per_unit", "source"]
    list_filter = ["year", "resource", "grade"]


class GradeEventInline(admin.TabularInline):
    model = GradeEvent
    extra = 0
    fields = ["at", "kind", "actor", "result", "detail"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _zone_admin(request)


@admin.register(EvaluationRun)
class EvaluationRunAdmin(EvaluationAdmin):
    list_display = ["year", "status", "computed_at", "published_at", "finalised_at"]
    readonly_fields = ["zone", "year", "status", "computed_at", "published_at", "finalised_at"]
    inlines = [GradeEventInline]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
