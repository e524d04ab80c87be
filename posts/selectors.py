"""Reads about posts that views, services and other apps share.

Who sees what: members of a department (``departments.draft_posts`` object permission, from
``departments.selectors.departments_for_user``) see that department's posts; Koordination,
Pressestelle and Administration see all. Everybody else gets a 404 for a post's URL – the post's
existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from channels.models import Channel
from channels.networks import registry
from channels.networks.base import PostContent
from channels.selectors import channels_for_department
from departments import roles
from departments.models import Department
from departments.selectors import departments_for_user
from etiquette.types import MediaLike, PostLike

from . import hooks
from .models import Media, Post, PostVariant

MEDIA_PUBLIC_SALT = "posts.media.public"
# How long a signed public media URL stays valid (Instagram fetches the image right after we ask it to).
MEDIA_PUBLIC_MAX_AGE = 24 * 3600


class PostLocked(PermissionDenied):
    """The user may see the post but not edit it in its current state."""


def visible_posts(user) -> QuerySet[Post]:
    if not user.is_authenticated:
        return Post.objects.none()
    if roles.sees_all_departments(user):
        return Post.objects.all()
    return Post.objects.filter(department__in=departments_for_user(user))


def may_see_post(user, post: Post) -> bool:
    """The rule for notifications about ``post`` (registered with :mod:`notifications.registry`)."""
    return bool(user.is_active) and visible_posts(user).filter(pk=post.pk).exists()


def drafting_departments(user) -> QuerySet[Department]:
    """Departments in which ``user`` may write posts (membership; county-wide roles do not draft)."""
    return departments_for_user(user, "departments.draft_posts")


def may_draft_in(user, department: Department) -> bool:
    return drafting_departments(user).filter(pk=department.pk).exists()


def can_edit(user, post: Post) -> bool:
    """Staff of the post's department edit drafts and posts sent back for changes; Koordination
    may also edit a post in review or approved (which sends it back to review); the reviewer of the
    open review step (department head, press office) may edit the post in review before deciding."""
    if not user.is_authenticated:
        return False
    if post.status in Post.AUTHOR_EDITABLE and may_draft_in(user, post.department):
        return True
    if post.status in Post.COORDINATOR_EDITABLE and roles.is_coordinator(user):
        return True
    if post.status == Post.Status.IN_REVIEW:
        # approvals registers the reviewer of the open step (posts.hooks).
        return hooks.is_review_editor(user, post)
    return False


def can_comment(user, post: Post) -> bool:
    """Everybody who may see the post writes internal comments (author, head, Koordination, Pressestelle)."""
    return visible_posts(user).filter(pk=post.pk).exists()


def get_post_for_user(user, pk, *, for_edit: bool = False) -> Post:
    """The post ``pk`` if ``user`` may see it, else :class:`Http404` (outsiders learn nothing).

    With ``for_edit`` the user must also be allowed to edit it in its current state; otherwise
    :class:`PostLocked` (a ``PermissionDenied``) is raised – views turn it into a notice.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    post = visible_posts(user).select_related("department", "author").filter(pk=pk).first()
    if post is None:
        raise Http404(_("No such post."))
    if for_edit and not can_edit(user, post):
        raise PostLocked(_("This post is locked while it is being reviewed."))
    return post


def get_media_for_user(user, pk) -> Media:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    media = Media.objects.select_related("post").filter(pk=pk, post__in=visible_posts(user)).first()
    if media is None:
        raise Http404
    return media


def list_posts(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """What the list and calendar rows show, in a fixed number of queries."""
    return queryset.select_related("department", "author").prefetch_related(
        Prefetch("channels", queryset=Channel.objects.order_by("name"))
    )


def editor_channels(department: Department | None) -> QuerySet[Channel]:
    """The channels the editor offers: the live channels the department may use."""
    return channels_for_department(department)


# --- Counting, previews, the etiquette's view of a post ------------------------------------------------


@dataclass(frozen=True)
class ChannelReport:
    channel: Channel
    label: str  # the network's name
    text: str  # the variant, or the main text
    has_variant: bool
    length: int  # counted the network's way
    max_length: int
    requires_media: bool
    shown_account: str = ""  # the account as the network shows it ("" for internal ids)

    @property
    def over(self) -> int:
        return max(0, self.length - self.max_length)

    @property
    def remaining(self) -> int:
        return self.max_length - self.length

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.length / self.max_length)) if self.max_length else 0


def sent_length(adapter, text: str, link: str = "") -> int:
    """The length of what the adapter sends (its ``compose_text``: text plus link), counted its way."""
    return adapter.count_length(adapter.compose_text(PostContent(text=text, link=link)))


def channel_reports(channels, text: str, variants: dict[int, str], link: str = "") -> list[ChannelReport]:
    """Per channel: the text it gets and its length counted by the network's adapter."""
    reports = []
    for channel in channels:
        adapter = registry.get(channel.kind)
        variant = (variants.get(channel.pk) or "").strip()
        channel_text = variant or text
        reports.append(
            ChannelReport(
                channel=channel,
                label=adapter.label,
                text=channel_text,
                has_variant=bool(variant),
                length=sent_length(adapter, channel_text, link),
                max_length=adapter.limits.max_length,
                requires_media=adapter.limits.requires_media,
                shown_account=adapter.shown_account(channel.account),
            )
        )
    return reports


def media_like(media: Media, **overrides) -> MediaLike:
    values = {
        "kind": media.kind,
        "alt_text": media.alt_text,
        "credit": media.credit,
        "shows_people": media.shows_people,
        "consent": media.consent,
        "has_captions": bool(media.captions),
    }
    values.update(overrides)
    return MediaLike(**values)


def build_post_like(
    *,
    text: str,
    link: str = "",
    channels=(),
    variants: dict[int, str] | None = None,
    media=(),
    planned_at: datetime | None = None,
    department: Department | None = None,
) -> PostLike:
    """A :class:`PostLike` for the etiquette engine from values (the editor's form data or a saved post).

    ``variants`` maps channel ids to texts; the engine wants network kinds. Two channels of the same
    network with different variants: the first one's is checked.
    """
    variants = variants or {}
    by_kind: dict[str, str] = {}
    for channel in channels:
        variant = (variants.get(channel.pk) or "").strip()
        if variant and channel.kind not in by_kind:
            by_kind[channel.kind] = variant
    return PostLike(
        text=text,
        link=link,
        channels=tuple(dict.fromkeys(channel.kind for channel in channels)),
        media=tuple(media),
        scheduled_at=planned_at,
        department=department.code if department else "",
        variants=by_kind,
    )


def post_like_for(post: Post) -> PostLike:
    """The saved post as the etiquette engine sees it."""
    channels = list(post.channels.all())
    return build_post_like(
        text=post.text,
        link=post.link,
        channels=channels,
        variants=variants_of(post),
        media=[media_like(m) for m in post.media.all()],
        planned_at=post.planned_at,
        department=post.department,
    )


def variants_of(post: Post) -> dict[int, str]:
    if post.pk is None:
        return {}
    return dict(PostVariant.objects.filter(post=post).values_list("channel_id", "text"))


# --- Media ---------------------------------------------------------------------------------------------


def media_public_url(media: Media) -> str:
    """An absolute, signed URL of the medium that works without login for a day.

    For networks that fetch media themselves (Instagram's Graph API wants an image URL). The token
    names the medium and is signed with SECRET_KEY; it expires after ``MEDIA_PUBLIC_MAX_AGE``.
    """
    token = signing.dumps({"m": media.pk}, salt=MEDIA_PUBLIC_SALT, compress=True)
    return settings.SITE_URL + reverse("posts:media_public", args=[token])


def media_from_public_token(token: str) -> Media:
    try:
        data = signing.loads(token, salt=MEDIA_PUBLIC_SALT, max_age=MEDIA_PUBLIC_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise Http404 from None
    media = Media.objects.filter(pk=data.get("m")).first() if isinstance(data, dict) else None
    if media is None:
        raise Http404
    return media
