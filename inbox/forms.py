from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department

from .models import InboxItem, ModerationAction


class FilterForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    overdue = forms.BooleanField(label=_("only overdue"), required=False)

    def __init__(self, *args, channels=(), departments=(), show_triage=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("all channels")), *[(c.pk, c.name) for c in channels]]
        self.fields["kind"].choices = [("", _("all kinds")), *InboxItem.Kind.choices]
        self.fields["state"].choices = [("", _("all states")), *InboxItem.State.choices]
        choices = [("", _("all departments"))]
        if show_triage:
            choices.append(("triage", _("Triage (no department yet)")))
        choices += [(str(d.pk), d.name) for d in departments]
        self.fields["department"].choices = choices


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Outcome"), choices=InboxItem.Resolution.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the item is settled, e.g. “answered by phone” or “no question in it”."),
    )


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(active=True).order_by("name")
    )
    note = forms.CharField(
        label=_("Note (goes into the history)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this department?"),
    )


class CitizenCommentForm(forms.Form):
    post = forms.TypedChoiceField(label=_("Post on the sandbox feed"), coerce=int)
    author_handle = forms.CharField(label=_("Citizen's name"), max_length=100, initial="Erika M.")
    text = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.pk, f"{p.channel.name}: {p.text[:80]}") for p in posts]


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(
        label=_("Text"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Staff insert it into the reply box and adapt it; it is never sent unchanged."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("all departments"),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=300,
        required=False,
        help_text=_("Further words to find it by, separated by spaces."),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class SavedReplySearchForm(forms.Form):
    q = forms.CharField(label=_("Search saved replies"), max_length=200, required=False)
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Checked against the etiquette as you type and when you send it. Do not repeat the citizen's "
            "personal data; move individual cases to a direct message or an official contact."
        ),
    )
    direct = forms.BooleanField(label=_("Answer as a direct message instead"), required=False)


class ReplyDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Why not?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=(), widget=forms.RadioSelect)
    clause = forms.ModelChoiceField(label=_("Netiquette rule"), queryset=None, empty_label=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the history; the original is kept as evidence."),
    )

    def __init__(self, *args, actions=(), clauses=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ModerationAction.Action.choices)
        self.fields["action"].choices = [(a, labels[a]) for a in actions]
        self.fields["clause"].queryset = clauses
        self.fields["clause"].label_from_instance = lambda c: f"{c.number}. {c.title}"


class EscalationForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the press office should answer (e.g. “question of a journalist”)."),
    )
