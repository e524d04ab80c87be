"""Forms of the deliveries pages: marking a delivery published by hand, withdrawing a post.

The channel and rollout forms are in ``channels.forms``.

Credential inputs never show the stored value (password inputs without ``render_value``); left
empty on a change, the stored value is kept. Every check that can fail is a form error next to its
field – a malformed token or base URL never reaches the database or the network.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MarkPublishedForm(forms.Form):
    """ "Checked on the network – mark as published": the address of the post there."""

    url = forms.CharField(
        label=_("Address of the post on the network"),
        help_text=_("Open the channel on the network, find the post and paste its address, e.g. https://…"),
        max_length=2000,
        error_messages={"required": _("Please paste the address of the post on the network.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        help_text=_(
            "Recorded in the audit trail. The post is deleted on every channel where it was published."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason for the withdrawal.")},
    )
