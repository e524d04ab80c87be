"""Admin for rules, term lists, the allowlist, elections and the guide.

Every save and delete goes through ``etiquette.services``: it is audited and moves the rule-set token
so that the next check in every process follows the change. Bad rule parameters are a form error
on the "parameters" field (the rule kind validates them), never a server error.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import kinds, services
from .channels import channel_choices
from .markdown import render_markdown
from .models import (
    Acknowledgement,
    AllowlistEntry,
    Election,
    GuideVersion,
    NetiquetteClause,
    NetiquetteVersion,
    Rule,
    Term,
)


class PrettyJSONField(forms.JSONField):
    """Shows stored parameters indented; after a form error it shows exactly what was typed."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:  # "[" × 5,000: Django catches only JSONDecodeError (issue 14)
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": "…"}
            ) from None

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        return forms.fields.InvalidJSONInput(data if data is not None else "")

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


class RuleAdminForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("networks"),
        choices=channel_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the rule applies to every network."),
    )
    parameters = PrettyJSONField(
        label=_("parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "class": "vLargeTextField"}),
        help_text=_("JSON object; the rule kind checks it. Empty: the kind's defaults."),
    )

    class Meta:
        model = Rule
        fields = ("code", "kind", "severity", "channels", "parameters", "active", "description", "position")

    def clean_parameters(self):
        value = self.cleaned_data.get("parameters")
        return {} if value in (None, "") else value

    def clean(self):
        cleaned = super().clean()
        kind_name = cleaned.get("kind") or getattr(self.instance, "kind", None)
        if kind_name and "parameters" in cleaned:
            try:
                cleaned["parameters"] = kinds.get(kind_name).validate_parameters(cleaned["parameters"])
            except KeyError:
                self.add_error("kind", _("Unknown rule kind."))
            except ValidationError as exc:
                self.add_error("parameters", exc)
        return cleaned


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = ("code", "severity", "active", "networks", "position", "updated_at")
    list_filter = ("severity", "active")
    search_fields = ("code", "description")
    ordering = ("position", "code")
    actions = ("reset_parameters",)

    @admin.display(description=_("networks"))
    def networks(self, obj):
        return ", ".join(obj.channels) if obj.channels else _("all")

    def get_readonly_fields(self, request, obj=None):
        return ("code", "kind", "parameter_help") if obj else ("parameter_help",)

    def get_fields(self, request, obj=None):
        fields = [
            "code",
            "kind",
            "severity",
            "active",
            "channels",
            "parameters",
            "parameter_help",
            "description",
            "position",
        ]
        return fields

    @admin.display(description=_("parameters of this kind"))
    def parameter_help(self, obj):
        if obj is None or not obj.kind:
            return _("Save the rule first; then the parameters of its kind are listed here.")
        try:
            kind = kinds.get(obj.kind)
        except KeyError:
            return "–"
        if not kind.parameters:
            return _("This kind has no parameters.")
        rows = format_html_join(
            "",
            "<li><code>{}</code> – {}: <code>{}</code>{}</li>",
            (
                (
                    name,
                    _("default"),
                    json.dumps(param.default, ensure_ascii=False),
                    format_html(" – {}", param.help_text) if param.help_text else "",
                )
                for name, param in kind.parameters.items()
            ),
        )
        term_list = ""
        if kind.term_list:
            url = reverse("admin:etiquette_term_changelist") + f"?term_list__exact={kind.term_list}"
            term_list = format_html(
                '<p><a href="{}">{}</a></p>', url, _("Edit the term list this rule reads")
            )
        return format_html("<ul>{}</ul>{}", rows, term_list)

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off (severity "off" or inactive) instead; the audit trail names it

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = {f: data[f] for f in form.changed_data if f in services.RULE_FIELDS}
            if changed:
                services.rule_update(actor=request.user, rule=obj, **changed)
        else:
            created = services.rule_create(
                actor=request.user,
                code=data["code"],
                kind=data["kind"],
                severity=data["severity"],
                channels=data["channels"],
                parameters=data["parameters"] or None,
                active=data["active"],
                description=data["description"],
                position=data["position"],
            )
            obj.pk = created.pk
            obj._state.adding = False

    @admin.action(description=_("Reset parameters to the kind's defaults"))
    def reset_parameters(self, request, queryset):
        for rule in queryset:
            services.rule_reset_parameters(actor=request.user, rule=rule)
        self.message_user(request, _("Parameters reset."), messages.SUCCESS)


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through the etiquette services (audited, rule set reloads)."""

    service_fields: tuple[str, ...] = ()

    def create(self, request, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def update(self, request, obj, changes):  # pragma: no cover - overridden
        raise NotImplementedError

    def remove(self, request, obj):  # pragma: no cover - overridden
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.service_fields if f in form.cleaned_data}
        if change:
            changes = {f: data[f] for f in form.changed_data if f in data}
            if changes:
                self.update(request, obj, changes)
        else:
            created = self.create(request, data)
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        self.remove(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(request, obj)


@admin.register(Term)
class TermAdmin(ServiceAdmin):
    service_fields = services.TERM_FIELDS
    list_display = ("term", "term_list", "suggestion", "case_sensitive", "active")
    list_filter = ("term_list", "active", "case_sensitive")
    search_fields = ("term", "suggestion", "note")
    fields = services.TERM_FIELDS

    def create(self, request, data):
        return services.term_add(actor=request.user, **data)

    def update(self, request, obj, changes):
        services.term_update(actor=request.user, entry=obj, **changes)

    def remove(self, request, obj):
        services.term_remove(actor=request.user, term=obj)


@admin.register(AllowlistEntry)
class AllowlistEntryAdmin(ServiceAdmin):
    service_fields = services.ALLOWLIST_FIELDS
    list_display = ("value", "kind", "note", "active")
    list_filter = ("kind", "active")
    search_fields = ("value", "note")
    fields = services.ALLOWLIST_FIELDS

    def create(self, request, data):
        return services.allowlist_entry_add(actor=request.user, **data)

    def update(self, request, obj, changes):
        services.allowlist_entry_update(actor=request.user, entry=obj, **changes)

    def remove(self, request, obj):
        services.allowlist_entry_remove(actor=request.user, entry=obj)


@admin.register(Election)
class ElectionAdmin(ServiceAdmin):
    service_fields = services.ELECTION_FIELDS
    list_display = ("name", "date", "window_days")
    fields = services.ELECTION_FIELDS

    def create(self, request, data):
        return services.election_add(actor=request.user, **data)

    def update(self, request, obj, changes):
        services.election_update(actor=request.user, election=obj, **changes)

    def remove(self, request, obj):
        services.election_remove(actor=request.user, election=obj)


@admin.register(GuideVersion)
class GuideVersionAdmin(admin.ModelAdmin):
    list_display = ("label_display", "title", "status", "published_at", "acknowledged_by")
    list_filter = ("status",)
    fields = ("major", "minor", "title", "body", "changes", "status", "published_at", "preview")
    readonly_fields = ("status", "published_at", "preview")
    actions = ("publish",)

    @admin.display(description=_("version"), ordering="major")
    def label_display(self, obj):
        return obj.label

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(acknowledgement_count=Count("acknowledgements"))

    @admin.display(description=_("acknowledged by"), ordering="acknowledgement_count")
    def acknowledged_by(self, obj):
        return obj.acknowledgement_count

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or not obj.body:
            return "–"
        return render_markdown(obj.body)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False  # a published version never changes; write a new one
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # drafts stay as a record of what was prepared; published versions are referenced

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.GUIDE_FIELDS}
        if change:
            changes = {f: data[f] for f in form.changed_data if f in data}
            if changes:
                services.guide_version_update(actor=request.user, version=obj, **changes)
        else:
            created = services.guide_version_create(actor=request.user, **data)
            obj.pk = created.pk
            obj._state.adding = False

    @admin.action(description=_("Publish the selected draft (becomes the current guide)"))
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one draft to publish."), messages.ERROR)
            return
        try:
            version = services.guide_version_publish(actor=request.user, version=queryset.get())
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            _("Version %(label)s is now the current guide.") % {"label": version.label},
            messages.SUCCESS,
        )


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    """The training record, read-only. The page for people (with CSV) is /etiquette/training-record/."""

    list_display = ("user", "version", "acknowledged_at")
    list_filter = ("version",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user", "version")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The netiquette ---------------------------------------------------------------------------------


class NetiquetteClauseInline(admin.StackedInline):
    model = NetiquetteClause
    fields = ("number", "anchor", "title", "body")
    extra = 1
    ordering = ("number",)

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(NetiquetteVersion)
class NetiquetteVersionAdmin(admin.ModelAdmin):
    """Drafts are edited here (clauses inline); the public page is /netiquette/. A published version
    never changes: "Als neuen Entwurf kopieren" starts the next one."""

    list_display = ("label_display", "title", "status", "published_at", "public_link")
    list_filter = ("status",)
    fields = ("major", "minor", "title", "intro", "changes", "status", "published_at", "preview")
    readonly_fields = ("status", "published_at", "preview")
    inlines = (NetiquetteClauseInline,)
    actions = ("publish", "copy_as_draft")

    @admin.display(description=_("version"), ordering="major")
    def label_display(self, obj):
        return obj.label

    @admin.display(description=_("public page"))
    def public_link(self, obj):
        if not obj.is_published:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("netiquette:version", args=[obj.pk]), _("open"))

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        parts = [render_markdown(obj.intro)] if obj.intro else []
        for clause in obj.clauses.order_by("number"):
            parts.append(
                format_html("<h3>{}. {} <code>#{}</code></h3>", clause.number, clause.title, clause.anchor)
            )
            parts.append(render_markdown(clause.body))
        return format_html_join("", "{}", ((part,) for part in parts))

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # moderation decisions name versions and clauses: they stay

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.NETIQUETTE_FIELDS}
        if change:
            changes = {f: data[f] for f in form.changed_data if f in data}
            if changes:
                services.netiquette_version_update(actor=request.user, version=obj, **changes)
        else:
            created = services.netiquette_version_create(actor=request.user, **data)
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The clauses go through the service as a whole (checked, audited), not saved form by form.
        clauses = []
        for formset in formsets:
            # What the admin's change message reads (the formset itself is not saved).
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for inline_form in formset.forms:
                data = getattr(inline_form, "cleaned_data", None)
                if not data or data.get("DELETE"):
                    continue
                clauses.append({field: data[field] for field in services.CLAUSE_FIELDS})
        try:
            services.netiquette_clauses_replace(actor=request.user, version=form.instance, clauses=clauses)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Publish the selected draft (becomes the public netiquette)"))
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one draft to publish."), messages.ERROR)
            return
        try:
            version = services.netiquette_version_publish(actor=request.user, version=queryset.get())
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            _("Version %(label)s is now the public netiquette.") % {"label": version.label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Copy as a new draft"))
    def copy_as_draft(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to copy."), messages.ERROR)
            return
        draft = services.netiquette_version_copy(actor=request.user, version=queryset.get())
        self.message_user(request, _("Draft %(label)s created.") % {"label": draft.label}, messages.SUCCESS)
