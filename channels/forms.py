"""Admin forms: a channel with the credential fields of its network, a rollout phase.

Credential inputs never show the stored value (password inputs without ``render_value``); left
empty on a change, the stored value is kept. Every check that can fail is a form error next to its
field – a malformed token or base URL never reaches the database or the network.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import crypto, selectors
from .models import Channel, RolloutPhase
from .networks import registry


def credential_field_name(kind: str, name: str) -> str:
    return f"cred__{kind}__{name}"


class ChannelForm(forms.ModelForm):
    base_url = forms.URLField(
        label=Channel._meta.get_field("base_url").verbose_name,
        help_text=Channel._meta.get_field("base_url").help_text,
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    class Meta:
        model = Channel
        fields = ("kind", "name", "account", "base_url", "enabled", "departments")
        widgets = {"departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            # Credentials belong to one network: a channel does not change its network.
            self.fields["kind"].disabled = True
        self.credential_fields: dict[str, list[str]] = {}
        for kind in registry.kinds():
            adapter = registry.get(kind)
            names = []
            for name, label in adapter.credential_fields.items():
                field_name = credential_field_name(kind, name)
                self.fields[field_name] = forms.CharField(
                    label=label,
                    required=False,
                    strip=True,
                    max_length=4096,
                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                    help_text=_("Stored encrypted. Leave empty to keep the stored value.") if editing else "",
                )
                names.append(field_name)
            self.credential_fields[kind] = names

    def _kind(self) -> str:
        return self.instance.kind if self.instance.pk else self.cleaned_data.get("kind", "")

    def clean(self):
        cleaned = super().clean()
        kind = self._kind()
        if not kind:
            return cleaned
        adapter = registry.get(kind)
        given = {
            name: cleaned.get(credential_field_name(kind, name)) or "" for name in adapter.credential_fields
        }
        self.new_credentials = None
        if any(given.values()):
            stored = {}
            if self.instance.pk:
                try:
                    stored = crypto.decrypt_json(self.instance.credentials_encrypted)
                except crypto.CredentialsUnreadable:
                    stored = {}
            # Fields left empty keep their stored value.
            self.new_credentials = {
                name: given[name] or stored.get(name, "") for name in adapter.credential_fields
            }
        errors = adapter.validate_config(
            account=cleaned.get("account") or "",
            base_url=cleaned.get("base_url") or "",
            credentials=self.new_credentials or {},
        )
        for field, messages in errors.items():
            if field in adapter.credential_fields:
                if self.new_credentials is None:
                    continue  # no credentials entered: the channel can be planned without them
                field = credential_field_name(kind, field)
            elif field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, message)
        switching_on = cleaned.get("enabled") and not (self.instance.pk and self.instance.enabled)
        if switching_on and (not self.instance.pk or not selectors.channel_is_in_active_phase(self.instance)):
            self.add_error(
                "enabled",
                _(
                    "Only a channel of an active rollout phase can be enabled. Add it to a phase and "
                    "activate that phase (Rollout page)."
                ),
            )
        return cleaned


class RolloutPhaseForm(forms.ModelForm):
    class Meta:
        model = RolloutPhase
        fields = ("order", "name", "description", "planned_start", "channels", "departments")
        widgets = {
            "channels": forms.CheckboxSelectMultiple,
            "departments": forms.CheckboxSelectMultiple,
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


# --- Deliveries (the coordination's actions) --------------------------------------------------------------
