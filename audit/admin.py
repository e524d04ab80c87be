from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no admin path adds, changes or deletes audit events."""

    list_display = ("sequence", "created_at", "actor_name", "verb", "object_repr")
    list_filter = ("verb",)
    search_fields = ("actor_name", "object_repr", "comment")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
