from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "started_by", "created_at", "finished_at")
    list_filter = ("state", "kind")
    exclude = ("payload",)
    readonly_fields = [f.name for f in Job._meta.fields if f.name != "payload"]

    def has_add_permission(self, request) -> bool:
        return False
