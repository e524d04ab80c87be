"""The sandbox network's comment section: this app stores what demo citizens write under sandbox posts
(:class:`SandboxComment`) and hands the sandbox adapter a reader, so those comments arrive in the inbox
through the same fetch path as a network's (adapter → ``fetch_inbox`` → cursor → upsert)."""

from __future__ import annotations

from django.db import transaction

from channels.networks import sandbox as sandbox_network
from channels.networks.base import InboundItem, InboundKind

from .models import SandboxComment


def network_id(comment_pk: int) -> str:
    return f"c{comment_pk}"


def read_comments(channel_id: int, after: int, limit: int) -> list[tuple[int, InboundItem | None]]:
    rows = SandboxComment.objects.filter(channel_id=channel_id, pk__gt=after).order_by("pk")[:limit]
    result = []
    for comment in rows:
        if comment.by_county:  # the county's own answers are not read back (the cursor moves on)
            result.append((comment.pk, None))
            continue
        post_id = str(comment.sandbox_post_id)
        parent = network_id(comment.parent_id) if comment.parent_id else post_id
        result.append(
            (
                comment.pk,
                InboundItem(
                    network_id=network_id(comment.pk),
                    kind=InboundKind.REPLY if comment.parent_id else InboundKind.COMMENT,
                    text=comment.text,
                    created_at=comment.created_at,
                    author_handle=comment.author_handle,
                    author_name=comment.author_name,
                    parent_id=parent,
                    root_id=post_id,
                ),
            )
        )
    return result


def _comment(channel_id: int, network_id_value: str) -> SandboxComment:
    if not network_id_value.startswith("c") or not network_id_value[1:].isdigit():
        raise LookupError(network_id_value)
    comment = SandboxComment.objects.filter(channel_id=channel_id, pk=int(network_id_value[1:])).first()
    if comment is None:
        raise LookupError(network_id_value)
    return comment


class CommentSink:
    """What answering, hiding and deleting do in the sandbox's comment section (issue 16)."""

    @staticmethod
    def reply(channel_id: int, target: str, text: str, key: str) -> tuple[str, str]:
        parent = _comment(channel_id, target)
        with transaction.atomic():
            existing = (
                SandboxComment.objects.filter(channel_id=channel_id, reply_key=key[:100]).first()
                if key
                else None
            )
            comment = existing or SandboxComment.objects.create(
                channel_id=channel_id,
                sandbox_post_id=parent.sandbox_post_id,
                parent=parent,
                author_handle="@landkreis",
                author_name="Landkreis",
                text=text,
                by_county=True,
                reply_key=key[:100],
            )
        url = sandbox_network.SandboxAdapter.post_url(comment.sandbox_post_id) + f"#comment-{comment.pk}"
        return network_id(comment.pk), url

    @staticmethod
    def set_hidden(channel_id: int, target: str, hidden: bool) -> None:
        SandboxComment.objects.filter(pk=_comment(channel_id, target).pk).update(hidden=hidden)

    @staticmethod
    def delete(channel_id: int, target: str) -> None:
        _comment(channel_id, target).delete()


def register() -> None:
    sandbox_network.set_comment_source(read_comments)
    sandbox_network.set_comment_sink(CommentSink)
