"""Deliveries and their attempts (read-only; channels and rollout phases: ``channels.admin``)."""

from django.contrib import admin

from .models import Delivery, DeliveryAttempt


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "operation", "started_at", "duration_ms", "outcome", "status_code", "error", "worker")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries change through the workers and the deliveries page (audited services)."""

    list_display = ("post", "channel", "status", "due_at", "attempt_count", "published_at", "updated_at")
    list_filter = ("status", "channel")
    list_select_related = ("post", "channel")
    search_fields = ("post__title", "external_id")
    inlines = (DeliveryAttemptInline,)
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
