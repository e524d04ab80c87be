"""Alternative texts of images: present, useful, and within the network's limit."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..channels import adapter_alt_text_max, channel_label
from ..types import Severity
from . import register
from .base import ChannelRuleKind, Hit, PostRuleKind
from .params import ChannelIntMapParam, IntParam, StrListParam

FILE_NAME_RE = re.compile(
    r"(?i)^\s*(?:\S+\.(?:jpe?g|png|gif|webp|heic|heif|tiff?|bmp|svg|avif)|(?:img|dsc|dscn|dcim|pxl|screenshot)[_\-\s]?\d+\S*)\s*$"
)


def _images(post):
    return [(index, media) for index, media in enumerate(post.media) if media.kind == "image"]


@register
class AltTextMissingKind(PostRuleKind):
    kind = "alt_text.missing"
    label = _("image without alternative text")
    default_severity = Severity.BLOCK

    def check_post(self, post, ctx):
        for index, media in _images(post):
            if not media.alt_text.strip():
                yield Hit(
                    message=(
                        f"Bild {index + 1} hat keinen Alternativtext. Beschreiben Sie, was auf dem Bild "
                        "zu sehen ist – blinde Menschen erfahren sonst nichts davon (BITV 2.0)."
                    ),
                    message_en=(
                        f"Image {index + 1} has no alternative text. Describe what it shows – blind "
                        "people learn nothing of it otherwise."
                    ),
                    media_index=index,
                )


@register
class AltTextQualityKind(PostRuleKind):
    kind = "alt_text.quality"
    label = _("alternative text too short, a file name, or starting with “Bild von”")
    default_severity = Severity.WARN
    parameters = {
        "min_length": IntParam(20, min_value=1, max_value=1000),
        "bad_openings": StrListParam(
            ["Bild von", "Foto von", "Grafik von", "Image of", "Picture of", "Photo of"]
        ),
    }

    def check_post(self, post, ctx):
        openings = tuple(opening.lower() for opening in self.params["bad_openings"])
        minimum = self.params["min_length"]
        for index, media in _images(post):
            alt = media.alt_text.strip()
            if not alt:
                continue  # alt_text.missing reports that
            number = index + 1
            if FILE_NAME_RE.match(alt):
                yield Hit(
                    message=f"Der Alternativtext von Bild {number} ist ein Dateiname („{alt}“). Beschreiben Sie den Bildinhalt.",
                    message_en=f"The alternative text of image {number} is a file name (“{alt}”). Describe the picture.",
                    media_index=index,
                )
            elif alt.lower().startswith(openings):
                opening = next(alt[: len(o)] for o in openings if alt.lower().startswith(o))
                yield Hit(
                    message=(
                        f"Der Alternativtext von Bild {number} beginnt mit „{opening}“. "
                        "Screenreader sagen schon „Bild“ – beginnen Sie direkt mit dem Inhalt."
                    ),
                    message_en=(
                        f"The alternative text of image {number} starts with “Image of”. Screen readers "
                        "already say “image” – start with what it shows."
                    ),
                    media_index=index,
                )
            elif len(alt) < minimum:
                yield Hit(
                    message=(
                        f"Der Alternativtext von Bild {number} ist sehr kurz ({len(alt)} Zeichen, "
                        f"mindestens {minimum}). Beschreiben Sie, was zu sehen ist und worauf es ankommt."
                    ),
                    message_en=(
                        f"The alternative text of image {number} is very short ({len(alt)} characters, "
                        f"at least {minimum}). Describe what it shows and what matters."
                    ),
                    media_index=index,
                )


@register
class AltTextLengthKind(ChannelRuleKind):
    kind = "alt_text.length"
    label = _("alternative text longer than the network allows")
    default_severity = Severity.BLOCK
    parameters = {
        # From the networks' adapters (channels.networks registry); a rule may set another limit.
        "limits": ChannelIntMapParam(
            {kind: adapter_alt_text_max(kind) for kind in ("x", "mastodon", "bluesky", "instagram")}
        )
    }

    def check_channel(self, channel, doc, ctx):
        limit = self.params["limits"].get(channel) or adapter_alt_text_max(channel)
        if not limit:
            return
        for index, media in enumerate(ctx.post.media):
            length = len(media.alt_text.strip())
            if length > limit:
                label = channel_label(channel)
                yield Hit(
                    message=(
                        f"Der Alternativtext von Bild {index + 1} ist für {label} zu lang: "
                        f"{length} Zeichen, erlaubt sind {limit}."
                    ),
                    message_en=(
                        f"The alternative text of image {index + 1} is too long for {label}: "
                        f"{length} characters, {limit} allowed."
                    ),
                    media_index=index,
                )
