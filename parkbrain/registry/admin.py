"""Django admin for zone administrators, limited to their own zone like every other view."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services, tenancy
from .forms import EnterpriseAdminForm
from .models import (
    AboveScaleYear,
    ApiToken,
    Assignment,
    Enterprise,
    Industry,
    IndustryCode,
    Membership,
    Park,
    Region,
    RegionYear,
    Tag,
    Zone,
)

admin.site.site_header = _("ParkBrain administration")
admin.site.site_title = _("ParkBrain")


class ZoneScopedAdmin(admin.ModelAdmin):
    """Rows outside the administrator's zone are neither listed nor reachable by id."""

    zone_path = "zone"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser and not hasattr(request.user, "membership"):
            return queryset
        zone = tenancy.zone_of(request.user)
        return queryset.filter(**{self.zone_path: zone}) if zone else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        zone = tenancy.zone_of(request.user)
        related = db_field.related_model
        if zone is not None and not request.user.is_superuser:
            if related is Enterprise or related is Park or related is Industry:
                kwargs["queryset"] = related.objects.filter(zone=zone)
            elif related is Zone:
                kwargs["queryset"] = Zone.objects.filter(pk=zone.pk)
            elif related is get_user_model():
                # Only people who already work in this zone; superusers are never offered.
                kwargs["queryset"] = related.objects.filter(
                    membership__zone=zone, is_superuser=False
                ).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Tables every zone shares: only the platform's superusers change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


class RegionYearInline(admin.TabularInline):
    model = RegionYear
    extra = 0


@admin.register(Region)
class RegionAdmin(ZoneScopedAdmin):
    zone_path = "zones"
    list_display = ["name", "division_code"]
    inlines = [RegionYearInline]


@admin.register(Zone)
class ZoneAdmin(ZoneScopedAdmin):
    zone_path = "pk"
    list_display = ["name", "short_name", "region", "is_demo"]


@admin.register(Park)
class ParkAdmin(ZoneScopedAdmin):
    list_display = ["name", "kind", "located_in", "area_mu", "population"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(IndustryCode)
class IndustryCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Industry)
class IndustryAdmin(ZoneScopedAdmin):
    list_display = ["name", "name_en", "sort_order"]
    filter_horizontal = ["codes"]


@admin.register(Tag)
class TagAdmin(ReferenceDataAdmin):
    list_display = ["name", "name_en", "slug"]


class AboveScaleYearInline(admin.TabularInline):
    model = AboveScaleYear
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(ZoneScopedAdmin):
    form = EnterpriseAdminForm
    list_display = ["name", "credit_code", "industry", "park", "land_area_mu", "status"]
    # Related-only filters offer the values of this zone's rows, not every zone's.
    list_filter = [
        ("industry", admin.RelatedOnlyFieldListFilter),
        ("park", admin.RelatedOnlyFieldListFilter),
        "ownership",
        "status",
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["industry_code"]
    filter_horizontal = ["tags"]
    inlines = [AboveScaleYearInline]
    list_select_related = ["industry", "park"]


@admin.register(Membership)
class MembershipAdmin(ZoneScopedAdmin):
    """Roles change through the services, which also grant or withdraw Django admin access."""

    list_display = ["user", "role", "enterprise"]
    list_filter = ["role"]
    raw_id_fields = ["enterprise"]

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        services.grant_role(obj.user, obj.zone, obj.role, obj.enterprise)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.end_membership(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for membership in queryset.select_related("user"):
            services.end_membership(membership)


@admin.register(Assignment)
class AssignmentAdmin(ZoneScopedAdmin):
    zone_path = "enterprise__zone"
    list_display = ["manager", "enterprise", "since", "until"]
    raw_id_fields = ["enterprise"]


@admin.register(ApiToken)
class ApiTokenAdmin(ZoneScopedAdmin):
    """Tokens are issued on the enterprise page, where the secret is shown once."""

    zone_path = "enterprise__zone"
    list_display = ["prefix", "name", "enterprise", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "enterprise",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for token in queryset:
            services.revoke_api_token(token)
