"""Channels (with per-network credential fields), rollout phases and the sandbox posts.

Every save goes through ``channels.services`` (audited); credentials are never shown, not in the
change list, not in the form (password inputs), not in the audit trail.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ChannelForm, RolloutPhaseForm, credential_field_name
from .models import Channel, RolloutPhase, SandboxPost
from .networks import registry


def _report_validation_error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    change_form_template = "admin/channels/channel/change_form.html"
    list_display = (
        "name",
        "kind",
        "account",
        "enabled",
        "live_status",
        "attention",
        "credentials_state",
        "last_check",
    )
    list_filter = ("kind", "enabled")
    search_fields = ("name", "account")
    readonly_fields = ("live_status", "attention", "credentials_state", "last_check")
    actions = ("check_credentials", "enable_channels", "disable_channels")

    class Media:
        js = ("js/publishing-admin.js",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The credential fields are added by the form itself, per network (not model fields).
        kwargs["fields"] = ChannelForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("kind", "name", "account", "base_url", "departments")}),
            (_("Status"), {"fields": ("enabled", "live_status", "attention", "last_check")}),
        ]
        kinds = [obj.kind] if obj is not None else registry.kinds()
        for kind in kinds:
            names = [credential_field_name(kind, name) for name in registry.get(kind).credential_fields]
            if names:
                label = registry.get(kind).label
                fieldsets.append(
                    (
                        _("Credentials for %(network)s") % {"network": label},
                        {
                            "fields": names,
                            "classes": ("channel-credentials", f"channel-credentials-{kind}"),
                            "description": registry.get(kind).account_help,
                        },
                    )
                )
        return fieldsets

    def get_queryset(self, request):
        # The live status of every row in the same query (not two queries per row).
        active = RolloutPhase.objects.filter(channels=OuterRef("pk"), status=RolloutPhase.Status.ACTIVE)
        return super().get_queryset(request).annotate(in_active_phase=Exists(active))

    @admin.display(description=_("live"))
    def live_status(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        in_phase = getattr(obj, "in_active_phase", None)
        if in_phase is None:
            in_phase = selectors.channel_is_in_active_phase(obj)
        if obj.enabled and in_phase:
            return _("yes – receives posts")
        if not in_phase:
            return _("no – not part of an active rollout phase")
        return _("no – switched off")

    @admin.display(description=_("needs attention"))
    def attention(self, obj):
        if obj is None or obj.attention_since is None:
            return _("no")
        return format_html(
            "{} ({}): {}",
            _("yes – its posts wait"),
            timezone.localtime(obj.attention_since).strftime("%d.%m.%Y %H:%M"),
            obj.attention_message,
        )

    @admin.display(description=_("credentials"))
    def credentials_state(self, obj):
        if obj is None or not registry.get(obj.kind).credential_fields:
            return _("not needed")
        return _("stored (encrypted)") if obj.credentials_encrypted else _("missing")

    @admin.display(description=_("access check"))
    def last_check(self, obj):
        if obj is None or obj.checked_at is None:
            return _("not checked yet")
        verdict = _("works") if obj.check_ok else _("failed")
        return format_html(
            "{} ({}): {}", verdict, obj.checked_at.strftime("%d.%m.%Y %H:%M"), obj.check_message
        )

    def has_delete_permission(self, request, obj=None):
        # Deliveries and the audit trail refer to channels: switch a channel off instead.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                created = services.channel_create(
                    actor=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    account=data.get("account") or "",
                    base_url=data.get("base_url") or "",
                    credentials=form.new_credentials or {},
                    departments=data.get("departments") or [],
                )
                obj.pk = created.pk
                obj._state.adding = False
                return
            changed = {
                f: data.get(f) or "" for f in ("name", "account", "base_url") if f in form.changed_data
            }
            if changed:
                services.channel_update(actor=request.user, channel=obj, **changed)
            if form.new_credentials is not None:
                services.channel_set_credentials(
                    actor=request.user, channel=obj, credentials=form.new_credentials
                )
            if "departments" in form.changed_data:
                services.channel_set_departments(
                    actor=request.user, channel=obj, departments=data.get("departments") or []
                )
            if "enabled" in form.changed_data:
                if data["enabled"]:
                    services.channel_enable(actor=request.user, channel=obj)
                else:
                    services.channel_disable(actor=request.user, channel=obj)
        except ValidationError as exc:  # raced with another change: report it, change nothing more
            _report_validation_error(request, exc)

    def save_related(self, request, form, formsets, change):
        pass  # departments are set by the services in save_model

    # --- "Zugang prüfen" -------------------------------------------------------------------------

    def _check(self, request, channel):
        result = services.channel_check_credentials(actor=request.user, channel=channel)
        level = messages.SUCCESS if result.ok else messages.ERROR
        self.message_user(request, f"{channel.name}: {result.message}", level)

    @admin.action(description=_("Check access (Zugang prüfen)"))
    def check_credentials(self, request, queryset):
        for channel in queryset:
            self._check(request, channel)

    @admin.action(description=_("Enable selected channels"))
    def enable_channels(self, request, queryset):
        for channel in queryset:
            try:
                services.channel_enable(actor=request.user, channel=channel)
            except ValidationError as exc:
                _report_validation_error(request, exc)
            else:
                self.message_user(request, _("%(channel)s is enabled.") % {"channel": channel.name})

    @admin.action(description=_("Disable selected channels"))
    def disable_channels(self, request, queryset):
        for channel in queryset:
            services.channel_disable(actor=request.user, channel=channel)
            self.message_user(request, _("%(channel)s is switched off.") % {"channel": channel.name})

    def get_urls(self):
        return [
            path(
                "<int:pk>/check/",
                self.admin_site.admin_view(require_POST(self.check_view)),
                name="channels_channel_check",
            ),
            *super().get_urls(),
        ]

    def check_view(self, request, pk):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        channel = get_object_or_404(Channel, pk=pk)
        self._check(request, channel)
        return redirect(reverse("admin:channels_channel_change", args=[channel.pk]))


@admin.register(RolloutPhase)
class RolloutPhaseAdmin(admin.ModelAdmin):
    form = RolloutPhaseForm
    list_display = ("order", "name", "planned_start", "status", "channel_names", "department_names")
    list_display_links = ("order", "name")
    readonly_fields = ("status", "activated_at", "activated_by")
    fields = (
        "order",
        "name",
        "description",
        "planned_start",
        "channels",
        "departments",
        "status",
        "activated_at",
        "activated_by",
    )
    actions = ("activate",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("channels", "departments")

    @admin.display(description=_("channels"))
    def channel_names(self, obj):
        return ", ".join(c.name for c in obj.channels.all()) or "–"

    @admin.display(description=_("departments"))
    def department_names(self, obj):
        return ", ".join(d.code for d in obj.departments.all()) or "–"

    def has_delete_permission(self, request, obj=None):
        return False  # the plan is part of the record; rename or reorder planned phases instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.phase_create(
                actor=request.user,
                order=data["order"],
                name=data["name"],
                description=data.get("description") or "",
                planned_start=data.get("planned_start"),
                channels=data.get("channels") or [],
                departments=data.get("departments") or [],
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        services.phase_update(
            actor=request.user,
            phase=obj,
            channels=data.get("channels") or [],
            departments=data.get("departments") or [],
            **{
                f: data.get(f)
                for f in ("order", "name", "description", "planned_start")
                if f in form.changed_data
            },
        )

    def save_related(self, request, form, formsets, change):
        pass  # channels and departments are set by the services in save_model

    @admin.action(description=_("Activate the selected phase"))
    def activate(self, request, queryset):
        for phase in queryset.order_by("order"):
            try:
                services.phase_start(actor=request.user, phase=phase)
            except ValidationError as exc:
                _report_validation_error(request, exc)
            else:
                self.message_user(request, _("%(phase)s is active now.") % {"phase": phase.name})


@admin.register(SandboxPost)
class SandboxPostAdmin(admin.ModelAdmin):
    list_display = ("published_at", "channel", "short_text", "deleted_at")
    list_filter = ("channel",)
    readonly_fields = (
        "channel",
        "text",
        "link",
        "language",
        "media",
        "idempotency_key",
        "published_at",
        "deleted_at",
    )

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
