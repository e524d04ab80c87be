"""Images and videos: credit, consent of the people shown, captions, and networks that need media."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..channels import channel_label
from ..types import Severity
from . import register
from .base import ChannelRuleKind, Hit, PostRuleKind
from .params import ChannelListParam

_KIND_DE = {"image": "Bild", "video": "Video"}
_KIND_EN = {"image": "Image", "video": "Video"}


def _name(media, index: int) -> tuple[str, str]:
    return (
        f"{_KIND_DE.get(media.kind, 'Medium')} {index + 1}",
        f"{_KIND_EN.get(media.kind, 'Media item')} {index + 1}",
    )


@register
class MediaCreditKind(PostRuleKind):
    kind = "media.credit"
    label = _("image without credit or licence")
    default_severity = Severity.BLOCK

    def check_post(self, post, ctx):
        for index, media in enumerate(post.media):
            if media.kind == "image" and not media.credit.strip():
                de, en = _name(media, index)
                yield Hit(
                    message=(
                        f"{de} hat keine Urheberangabe. Nennen Sie Fotografin oder Fotograf bzw. die "
                        "Lizenz (§ 13 UrhG), z. B. „Foto: Landkreis / M. Muster“."
                    ),
                    message_en=f"{en} has no credit. Name the photographer or the licence.",
                    media_index=index,
                )


@register
class MediaPeopleConsentKind(PostRuleKind):
    kind = "media.people_consent"
    label = _("identifiable people without recorded consent")
    default_severity = Severity.BLOCK

    def check_post(self, post, ctx):
        for index, media in enumerate(post.media):
            if media.shows_people and not media.consent:
                de, en = _name(media, index)
                yield Hit(
                    message=(
                        f"{de} zeigt erkennbare Personen, aber ihre Einwilligung ist nicht vermerkt "
                        "(DSGVO, KUG). Holen Sie die Einwilligung ein oder wählen Sie ein anderes Motiv."
                    ),
                    message_en=(
                        f"{en} shows identifiable people, but their consent is not recorded. "
                        "Obtain consent or use another picture."
                    ),
                    media_index=index,
                )


@register
class MediaCaptionsKind(PostRuleKind):
    kind = "media.captions"
    label = _("video without captions")
    default_severity = Severity.BLOCK

    def check_post(self, post, ctx):
        for index, media in enumerate(post.media):
            if media.kind == "video" and not media.has_captions:
                de, en = _name(media, index)
                yield Hit(
                    message=f"{de} hat keine Untertitel. Gehörlose Menschen brauchen sie (BITV 2.0).",
                    message_en=f"{en} has no captions. Deaf people need them.",
                    media_index=index,
                )


@register
class MediaRequiredKind(ChannelRuleKind):
    kind = "media.required"
    label = _("network that needs an image or video, and the post has none")
    default_severity = Severity.BLOCK
    parameters = {"channels": ChannelListParam(["instagram"])}

    def check_channel(self, channel, doc, ctx):
        # A reply to a comment is text on every network (Instagram too).
        if channel in self.params["channels"] and not ctx.post.media and not ctx.post.reply_to:
            label = channel_label(channel)
            yield Hit(
                message=f"{label} veröffentlicht keine reinen Textbeiträge: Fügen Sie ein Bild oder Video hinzu.",
                message_en=f"{label} does not publish text-only posts: add an image or a video.",
            )
