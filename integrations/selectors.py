"""Reads of the integrations app: what a token may see, and the post page's review and deliveries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from approvals.models import Review, ReviewStep
from posts.models import Media, Post, PostVariant
from publishing.models import Channel, Delivery

from .models import IntegrationToken


def token_posts(token: IntegrationToken) -> QuerySet[Post]:
    """Posts a token may read: those of its departments (whoever wrote them)."""
    return Post.objects.filter(department__in=token.departments.all())


def with_api_details(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Everything the API's post representation shows, in a fixed number of queries."""
    return queryset.select_related(
        "department", "author", "origin__integration", "origin__responsible"
    ).prefetch_related(
        Prefetch("channels", queryset=Channel.objects.order_by("name")),
        Prefetch(
            "variants", queryset=PostVariant.objects.select_related("channel").order_by("channel__name")
        ),
        Prefetch("media", queryset=Media.objects.order_by("position", "pk")),
        Prefetch("deliveries", queryset=Delivery.objects.select_related("channel").order_by("channel__name")),
        Prefetch(
            "reviews",
            queryset=Review.objects.order_by("-opened_at", "-pk").prefetch_related(
                Prefetch(
                    "steps", queryset=ReviewStep.objects.select_related("decided_by").order_by("position")
                )
            ),
        ),
    )


def get_post_for_token(token: IntegrationToken, pk) -> Post:
    """The post ``pk`` if the token may read it, else 404 (nothing about other departments leaks)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    post = with_api_details(token_posts(token)).filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def token_channels(token: IntegrationToken) -> QuerySet[Channel]:
    """Channels a token may name: its own list, else every channel of its departments."""
    scoped = token.channels.all()
    if scoped.exists():
        return scoped
    return Channel.objects.filter(departments__in=token.departments.all()).distinct()
