"""``length``: the text is longer than the network takes, counted the network's way."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..channels import adapter_max_length, channel_label, count_length
from ..types import Severity
from . import register
from .base import ChannelRuleKind, Hit
from .params import ChannelIntMapParam

# The networks' limits come from their adapters (channels.networks registry); only networks without an
# adapter have their numbers here. A rule's parameters may still set another limit per network.
LIMITS_WITHOUT_ADAPTER = {"linkedin": 3000, "threads": 500}
DEFAULT_LIMITS = {
    **{kind: adapter_max_length(kind) for kind in ("x", "mastodon", "bluesky", "instagram", "facebook")},
    **LIMITS_WITHOUT_ADAPTER,
}


def overflow_start(channel: str, text: str, limit: int) -> int:
    """The first index whose text no longer fits: the longest prefix within ``limit`` ends there.

    Counting is the adapter's and may be slow (X parses the text), so the search guesses from how far
    the last count missed and only falls back to halving the interval when guesses stop helping;
    usually two or three counts suffice.
    """
    fits, too_long = 0, len(text)  # text[:fits] fits, text[:too_long] does not
    guess = min(limit, too_long - 1)
    for attempt in range(64):
        if too_long - fits <= 1:
            break
        if attempt >= 6:
            guess = (fits + too_long) // 2
        guess = max(fits + 1, min(too_long - 1, guess))
        length = count_length(channel, text[:guess])
        if length <= limit:
            fits, guess = guess, guess + max(1, limit - length)
        else:
            too_long, guess = guess, guess - max(1, length - limit)
    return fits


@register
class LengthKind(ChannelRuleKind):
    kind = "length"
    label = _("text longer than the network allows")
    default_severity = Severity.BLOCK
    parameters = {
        "limits": ChannelIntMapParam(
            DEFAULT_LIMITS,
            help_text=_("Largest length per network; a network missing here uses its adapter's limit."),
        )
    }

    def check_channel(self, channel, doc, ctx):
        limit = self.params["limits"].get(channel) or adapter_max_length(channel)
        if not limit:
            return
        length = count_length(channel, doc.text)
        if length <= limit:
            return
        label = channel_label(channel)
        yield Hit(
            message=(
                f"Der Text ist für {label} zu lang: {length} Zeichen, erlaubt sind {limit} "
                f"({length - limit} zu viel). Der markierte Teil passt nicht mehr."
            ),
            message_en=(
                f"The text is too long for {label}: {length} characters, {limit} allowed "
                f"({length - limit} too many). The marked part does not fit."
            ),
            start=overflow_start(channel, doc.text, limit),
            end=len(doc.text),
        )
