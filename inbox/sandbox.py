"""The sandbox network's comment section: this app stores what demo citizens write under sandbox posts
(:class:`SandboxComment`) and hands the sandbox adapter a reader, so those comments arrive in the inbox
through the same fetch path as a network's (adapter → ``fetch_inbox`` → cursor → upsert)."""

from __future__ import annotations

from channels.networks import sandbox as sandbox_network
from channels.networks.base import InboundItem, InboundKind

from .models import SandboxComment


def network_id(comment_pk: int) -> str:
    return f"c{comment_pk}"


def read_comments(channel_id: int, after: int, limit: int) -> list[tuple[int, InboundItem]]:
    rows = SandboxComment.objects.filter(channel_id=channel_id, pk__gt=after).order_by("pk")[:limit]
    result = []
    for comment in rows:
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


def register() -> None:
    sandbox_network.set_comment_source(read_comments)
