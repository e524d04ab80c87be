"""Internal comments and the personal calendar feeds."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record

from .. import selectors
from ..models import CalendarFeed, Comment, Post

# --- comments and calendar feeds -----------------------------------------------------------------------


@transaction.atomic
def post_comment_add(*, actor, post: Post, text: str) -> Comment:
    """An internal comment by anybody who may see the post."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Please write a comment.")})
    if not selectors.can_comment(actor, post):
        raise PermissionDenied
    comment = Comment.objects.create(post=post, author=actor, text=text)
    audit_record(actor=actor, verb="post.commented", obj=post, post_id=post.pk, comment=text)
    return comment


@transaction.atomic
def calendar_feed_renew(*, actor) -> CalendarFeed:
    """A new secret iCal address for ``actor``; the previous one stops working at once."""
    CalendarFeed.objects.filter(user=actor).delete()
    feed = CalendarFeed.objects.create(user=actor, token=secrets.token_urlsafe(32))
    audit_record(actor=actor, verb="calendar_feed.renewed", obj=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor) -> None:
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, verb="calendar_feed.revoked", after={"user": actor.get_username()})
