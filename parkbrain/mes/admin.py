"""Django admin: zone administrators read their zone's production orders. Nothing is edited
here: a change must go through the services so the EPCIS events stay in step."""

from django.contrib import admin
from django.http import HttpRequest

from parkbrain.registry.admin import ZoneScopedAdmin

from .models import Inspection, Lot, Measurement, Operation, ProductionOrder, SensorReading


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OperationInline(ReadOnly, admin.TabularInline):
    model = Operation
    extra = 0
    fields = ["sequence", "step", "work_centre", "read_point", "started_at", "finished_at"]
    show_change_link = True


class LotInline(ReadOnly, admin.TabularInline):
    model = Lot
    extra = 0


class ReadingInline(ReadOnly, admin.TabularInline):
    model = SensorReading
    extra = 0


class InspectionInline(ReadOnly, admin.TabularInline):
    model = Inspection
    extra = 0
    show_change_link = True


class MeasurementInline(ReadOnly, admin.TabularInline):
    model = Measurement
    extra = 0


@admin.register(ProductionOrder)
class ProductionOrderAdmin(ReadOnly, ZoneScopedAdmin):
    zone_path = "enterprise__zone"
    list_display = ["number", "enterprise", "product_gtin", "planned_quantity", "unit", "state"]
    list_filter = ["state"]
    search_fields = ["number", "product_gtin", "enterprise__name"]
    list_select_related = ["enterprise"]
    inlines = [OperationInline]


@admin.register(Operation)
class OperationAdmin(ReadOnly, ZoneScopedAdmin):
    zone_path = "order__enterprise__zone"
    list_display = ["order", "sequence", "step", "work_centre", "finished_at", "revision"]
    list_filter = ["step"]
    list_select_related = ["order"]
    inlines = [LotInline, ReadingInline, InspectionInline]


@admin.register(Inspection)
class InspectionAdmin(ReadOnly, ZoneScopedAdmin):
    zone_path = "operation__order__enterprise__zone"
    list_display = ["epc_class", "inspector", "inspected_at", "result"]
    list_filter = ["result"]
    inlines = [MeasurementInline]
