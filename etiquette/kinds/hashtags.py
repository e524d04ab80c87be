"""Hashtags: CamelCase for screen readers, and not too many."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..channels import adapter_max_hashtags, channel_label
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import ChannelIntMapParam, IntParam, SeverityParam


@register
class HashtagCamelCaseKind(TextRuleKind):
    kind = "hashtag.camelcase"
    label = _("long all-lowercase hashtag")
    default_severity = Severity.WARN
    parameters = {
        "min_length": IntParam(
            12,
            min_value=2,
            max_value=200,
            help_text=_("Hashtags with at least this many characters after “#” must use CamelCase."),
        )
    }

    def find(self, doc, ctx):
        minimum = self.params["min_length"]
        for tag in doc.hashtags:
            body = tag.value
            if len(body) >= minimum and body == body.lower() and any(ch.isalpha() for ch in body):
                yield Hit(
                    message=(
                        f"Hashtag „#{body}“ ganz in Kleinbuchstaben: Screenreader lesen ihn als ein "
                        "unverständliches Wort. Schreiben Sie jedes Wort groß (CamelCase), z. B. "
                        "„#ImpfzentrumRotenburg“."
                    ),
                    message_en=f"Hashtag “#{body}” is all lower case; write it in CamelCase for screen readers.",
                    start=tag.start,
                    end=tag.end,
                )


@register
class HashtagCountKind(TextRuleKind):
    kind = "hashtag.count"
    label = _("too many hashtags")
    default_severity = Severity.WARN
    parameters = {
        "max": IntParam(3, min_value=0, max_value=100),
        "caps": ChannelIntMapParam(
            {"instagram": 30},
            help_text=_("The networks' own hard limits; above them the post is refused."),
        ),
        "cap_severity": SeverityParam("block"),
    }

    def find(self, doc, ctx):
        tags = doc.hashtags
        maximum = self.params["max"]
        if len(tags) > maximum:
            first_extra = tags[maximum]
            yield Hit(
                message=(
                    f"{len(tags)} Hashtags – empfohlen sind höchstens {maximum}. Viele Hashtags machen "
                    "einen Beitrag für Screenreader mühsam. Ab dem markierten wird es zu viel."
                ),
                message_en=f"{len(tags)} hashtags; at most {maximum} are recommended.",
                start=first_extra.start,
                end=first_extra.end,
            )

    def run(self, post, main, variants, ctx):
        yield from super().run(post, main, variants, ctx)
        severity = Severity(self.params["cap_severity"])
        if severity == Severity.OFF:
            return
        for channel in dict.fromkeys(post.channels):
            if not self.applies_to(channel):
                continue
            cap = self.params["caps"].get(channel) or adapter_max_hashtags(channel)
            doc = variants.get(channel, main)
            if cap is None or len(doc.hashtags) <= cap:
                continue
            label = channel_label(channel)
            hit = Hit(
                message=f"{label} erlaubt höchstens {cap} Hashtags, der Text hat {len(doc.hashtags)}.",
                message_en=f"{label} allows at most {cap} hashtags; the text has {len(doc.hashtags)}.",
                start=doc.hashtags[cap].start,
                end=doc.hashtags[cap].end,
                severity=severity,
            )
            yield self.finding(hit, channel, channel in variants)
