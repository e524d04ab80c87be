"""Admin: inbox items are citizens' personal data – read-only here (the work happens on /inbox/); the
channel inbox settings (reading on/off, X's monthly budget, response target), department targets and
keyword rules are edited here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import fetching, services
from .models import ChannelInbox, DepartmentResponseTarget, InboxItem, KeywordRule, SavedReply


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "state", "channel", "department", "received_at", "due_at")
    list_filter = ("kind", "state", "channel", "department")
    list_select_related = ("channel", "department")
    date_hierarchy = "received_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # The author's account id is for the network only (direct messages, reports): not shown here either.
    exclude = ("author_network_id",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in self.exclude]


@admin.register(ChannelInbox)
class ChannelInboxAdmin(admin.ModelAdmin):
    list_display = (
        "channel",
        "reading_enabled",
        "reads_display",
        "last_success_at",
        "failures",
        "last_error",
    )
    fields = (
        "channel",
        "reading_enabled",
        "monthly_read_budget",
        "response_hours",
        "reads_display",
        "last_fetch_at",
        "last_success_at",
        "next_fetch_at",
        "failures",
        "last_error",
    )
    readonly_fields = (
        "channel",
        "reads_display",
        "last_fetch_at",
        "last_success_at",
        "next_fetch_at",
        "failures",
        "last_error",
    )

    def has_add_permission(self, request):
        return False  # created with the channel's first fetch

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reads this month / budget"))
    def reads_display(self, obj):
        used, budget = fetching.budget_status(obj)
        return f"{used} / {budget}" if budget is not None else f"{used} / –"


@admin.register(DepartmentResponseTarget)
class DepartmentResponseTargetAdmin(admin.ModelAdmin):
    list_display = ("department", "hours")


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    list_display = ("department", "keywords", "active")
    list_filter = ("active", "department")


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    """Textbausteine. Koordination edits them on /inbox/textbausteine/; here Administration may too –
    through the same services (audited)."""

    list_display = ("title", "department", "active", "updated_at", "updated_by")
    list_filter = ("active", "department")
    search_fields = ("title", "text", "keywords")
    fields = ("title", "text", "department", "keywords", "active")

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead (active)

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in self.fields}
        if change:
            changes = {field: data[field] for field in form.changed_data if field in data}
            if changes:
                services.saved_reply_update(actor=request.user, reply=obj, **changes)
        else:
            active = data.pop("active")
            created = services.saved_reply_create(actor=request.user, **data)
            if not active:
                services.saved_reply_update(actor=request.user, reply=created, active=False)
            obj.pk = created.pk
            obj._state.adding = False
