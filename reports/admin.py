from django.contrib import admin

from .models import CommitteeReport


@admin.register(CommitteeReport)
class CommitteeReportAdmin(admin.ModelAdmin):
    """Read-only: a stored report stays as it was made (its hash is in the audit trail)."""

    list_display = ("period_start", "period_end", "kind", "created_at", "sent_at", "sha256")
    exclude = ("pdf",)
    readonly_fields = (
        "kind",
        "period_start",
        "period_end",
        "sha256",
        "size",
        "created_at",
        "created_by",
        "recipients",
        "sent_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
