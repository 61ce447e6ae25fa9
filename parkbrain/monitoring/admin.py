"""Django admin for warning rules, limited to the administrator's zone; warnings read-only."""

from django.contrib import admin
from django.http import HttpRequest

from parkbrain.registry.admin import ZoneScopedAdmin

from .models import Alert, AlertEvent, WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(ZoneScopedAdmin):
    list_display = ["name", "code", "kind", "severity", "operator", "threshold", "enabled"]
    list_filter = ["kind", "severity", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["name", "code"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "by", "month", "note"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ZoneScopedAdmin):
    """Warnings change through the pages (acknowledge, resolve) and the monthly run only."""

    zone_path = "enterprise__zone"
    list_display = ["rule", "enterprise", "first_month", "last_month", "state"]
    list_filter = ["state", "rule__severity"]
    search_fields = ["enterprise__name", "rule__name"]
    list_select_related = ["rule", "enterprise"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
