"""Integrations, their tokens and webhook subscriptions in the admin (Administration).

Every save goes through :mod:`integrations.services`. A new token's secret is shown once, on the page
that answers the "save" (never stored, never put into a message or the session).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from etiquette.admin import PrettyJSONField

from . import events, services
from .models import (
    FeedItem,
    FeedSource,
    Integration,
    IntegrationToken,
    PostOrigin,
    PostTemplate,
    TokenRight,
    WebhookDelivery,
    WebhookSubscription,
)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


# JSON fields of this app's admin: deeply nested input ("[" × 5,000) is a field error, not a
# RecursionError (found by the form probes, issue 14).
JSON_FIELDS = {models.JSONField: {"form_class": PrettyJSONField}}


class IntegrationForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("short name"), max_length=40, required=False, help_text=_("Empty: made from the name.")
    )

    class Meta:
        model = Integration
        fields = ["name", "slug", "description", "responsible", "departments", "active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            # Run the service here so that its refusals appear next to the fields.
            try:
                self.created = services.integration_create(
                    actor=self.request_user,
                    name=cleaned["name"],
                    slug=cleaned.get("slug") or "",
                    description=cleaned.get("description") or "",
                    responsible=cleaned["responsible"],
                    departments=cleaned.get("departments") or [],
                )
            except ValidationError as exc:
                _form_errors(self, exc)
        return cleaned

    def validate_unique(self):
        # The service checked the name and made the row already; the form's own check would find it.
        if getattr(self, "created", None) is None:
            super().validate_unique()


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    form = IntegrationForm
    list_display = ("name", "service_user", "responsible", "active", "created_at")
    readonly_fields = ("service_user", "created_at")
    filter_horizontal = ("departments",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # departments and names stay as created (memberships follow them)
            return ("name", "slug", "departments", "service_user", "created_at")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            created = form.created
            obj.pk = created.pk
            obj.service_user = created.service_user
            obj._state.adding = False
            return
        if "active" in form.changed_data:
            services.integration_set_active(actor=request.user, integration=obj, active=obj.active)
        if {"responsible", "description"} & set(form.changed_data):
            services.integration_update(
                actor=request.user,
                integration=obj,
                responsible=form.cleaned_data["responsible"],
                description=form.cleaned_data.get("description") or "",
            )

    def save_related(self, request, form, formsets, change):
        pass  # the service set the departments and the service user's memberships

    def has_delete_permission(self, request, obj=None):
        return False  # posts name the integration: switch it off instead


class TokenForm(forms.ModelForm):
    rights = forms.MultipleChoiceField(
        label=_("rights"), choices=TokenRight.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = IntegrationToken
        fields = ["integration", "label", "rights", "departments", "channels", "expires_at", "rate_limit"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                self.created, self.secret = services.token_create(
                    actor=self.request_user,
                    integration=cleaned["integration"],
                    label=cleaned["label"],
                    rights=cleaned["rights"],
                    departments=cleaned.get("departments") or [],
                    channels=cleaned.get("channels") or [],
                    expires_at=cleaned.get("expires_at"),
                    rate_limit=cleaned.get("rate_limit") or "120/minute",
                )
            except ValidationError as exc:
                _form_errors(self, exc)
        return cleaned


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    form = TokenForm
    list_display = ("__str__", "rights", "expires_at", "last_used_at", "revoked_at", "created_by")
    list_filter = ("integration",)
    actions = ("revoke",)
    filter_horizontal = ("departments", "channels")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a token is never changed: revoke it and make a new one
            return (
                "integration",
                "label",
                "rights",
                "departments",
                "channels",
                "expires_at",
                "rate_limit",
                "lookup",
                "last_used_at",
                "revoked_at",
                "revoked_by",
                "created_by",
                "created_at",
            )
        return ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["integration", "label", "rights", "departments", "channels", "expires_at", "rate_limit"]
        return list(self.get_readonly_fields(request, obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = form.created.pk
            obj._state.adding = False
            obj._secret = form.secret

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the secret exists outside the caller's hands: rendered once, not stored.
        token = IntegrationToken.objects.select_related("integration").get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Token created"),
            "token": token,
            "secret": obj._secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/integrations/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.token_revoke(actor=request.user, token=token)
        self.message_user(request, _("The tokens are revoked."), messages.SUCCESS)


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label=_("events"), widget=forms.CheckboxSelectMultiple, choices=())

    class Meta:
        model = WebhookSubscription
        fields = ["integration", "url", "events", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = events.choices()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                self.created = services.webhook_subscription_create(
                    actor=self.request_user,
                    integration=cleaned["integration"],
                    url=cleaned["url"],
                    events=cleaned["events"],
                )
            except ValidationError as exc:
                _form_errors(self, exc)
        return cleaned


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = (
        "created_at",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "last_error",
    )
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    form = SubscriptionForm
    list_display = ("integration", "url", "active", "consecutive_failures", "disabled_at")

    def get_inlines(self, request, obj):
        # The delivery log on the change page only: the add form makes the row in its clean().
        return [WebhookDeliveryInline] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (
                "integration",
                "url",
                "events",
                "secret_hint",
                "consecutive_failures",
                "disabled_at",
                "disabled_reason",
            )
        return ()

    @admin.display(description=_("signing secret"))
    def secret_hint(self, obj):
        return obj.secret

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = form.created.pk
            obj._state.adding = False
            return
        if "active" in form.changed_data:
            services.webhook_subscription_set_active(actor=request.user, subscription=obj, active=obj.active)

    def save_related(self, request, form, formsets, change):
        pass

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PostOrigin)
class PostOriginAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    list_display = ("post", "integration", "responsible", "token_created_by", "created_at")
    list_filter = ("integration",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateForm(forms.ModelForm):
    class Meta:
        model = PostTemplate
        fields = [
            "name",
            "department",
            "channels",
            "title",
            "text",
            "link",
            "attribution",
            "fields",
            "example_data",
            "active",
        ]

    def clean(self):
        cleaned = super().clean()
        problems = services.template_problems(
            title=cleaned.get("title") or "",
            text=cleaned.get("text") or "",
            link=cleaned.get("link") or "",
            fields=cleaned.get("fields"),
            example_data=cleaned.get("example_data"),
        )
        for field, message in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


@admin.register(PostTemplate)
class PostTemplateAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    form = TemplateForm
    list_display = ("name", "department", "auto_approve", "auto_approve_enabled_by", "active")
    readonly_fields = ("auto_approve", "auto_approve_enabled_by", "auto_approve_enabled_at")
    filter_horizontal = ("channels",)

    def save_model(self, request, obj, form, change):
        services.template_save(actor=request.user, template=obj, channels=form.cleaned_data.get("channels"))

    def save_related(self, request, form, formsets, change):
        pass  # the service set the channels

    def has_delete_permission(self, request, obj=None):
        return False


class FeedItemInline(admin.TabularInline):
    model = FeedItem
    fields = ("created_at", "external_id", "version", "kind", "post", "problem")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(FeedSource)
class FeedSourceAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FIELDS
    """Sources and their attribution. Configuration, not workflow data: saved by the admin itself, and
    audited here."""

    list_display = ("name", "kind", "region", "enabled", "urgent", "last_run_at", "last_error")
    list_filter = ("kind", "enabled")
    readonly_fields = ("last_run_at", "last_error")

    def get_inlines(self, request, obj):
        return [FeedItemInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.feed_source_save(actor=request.user, source=obj, changed=form.changed_data)

    def has_delete_permission(self, request, obj=None):
        return False
