from django import forms
from django.utils.translation import gettext_lazy as _

from .channels import channel_choices


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have read and understood the social media etiquette."),
        error_messages={"required": _("Please confirm that you have read and understood the etiquette.")},
    )


class TrainingRecordFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name or user name"), required=False, max_length=100)
    missing = forms.BooleanField(
        label=_("Only people who have not acknowledged the current version"), required=False
    )


class TryForm(forms.Form):
    """The fields of the "check a text" page; the live-check endpoint reads the same names."""

    text = forms.CharField(
        label=_("Text of the post"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "aria-describedby": "id_text_help"}),
    )
    channels = forms.MultipleChoiceField(
        label=_("Networks"), required=False, choices=channel_choices, widget=forms.CheckboxSelectMultiple
    )
    link = forms.CharField(label=_("Link (optional)"), required=False, max_length=2000)
    scheduled_at = forms.DateTimeField(
        label=_("Planned publication (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
