from django.contrib import admin

from .models import Review, ReviewStep, WarningAcknowledgement


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewStepInline(ReadOnlyInline):
    model = ReviewStep
    fields = ("position", "kind", "status", "activated_at", "decided_by", "decided_at", "revision", "comment")
    readonly_fields = fields


class WarningAcknowledgementInline(ReadOnlyInline):
    model = WarningAcknowledgement
    fields = ("rule", "channel", "message", "reason", "acknowledged_by", "acknowledged_at", "revision")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews change only through ``approvals.services`` (the review page)."""

    list_display = ("post", "status", "mode", "press_relevant", "opened_at", "finished_by", "finished_at")
    list_filter = ("status", "mode", "press_relevant")
    search_fields = ("post__title",)
    date_hierarchy = "opened_at"
    list_select_related = ("post", "finished_by")
    readonly_fields = [f.name for f in Review._meta.fields]
    inlines = (ReviewStepInline, WarningAcknowledgementInline)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
