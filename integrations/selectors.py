"""Reads of the integrations app: what a token may see, and the post page's review and deliveries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from approvals.models import Review, ReviewStep
from channels.models import Channel
from etiquette import engine
from etiquette.types import Finding
from posts.models import Media, Post, PostVariant
from posts.selectors import build_post_like
from publishing.models import Delivery

from . import services
from .models import IntegrationToken, PostTemplate


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


def token_templates(token: IntegrationToken) -> QuerySet[PostTemplate]:
    return PostTemplate.objects.filter(active=True, department__in=token.departments.all()).select_related(
        "department"
    )


def get_template_for_token(token: IntegrationToken, pk) -> PostTemplate:
    template = token_templates(token).filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


def template_preview(template: PostTemplate, data: dict) -> tuple[dict, list[Finding]]:
    """The filled-in template and its etiquette findings (the live preview; nothing is saved)."""
    rendered = services.template_render(template=template, data=data)
    post_like = build_post_like(
        text=rendered["text"],
        link=rendered["link"],
        channels=list(template.channels.all()),
        department=template.department,
    )
    return rendered, sorted(engine.check(post_like), key=Finding.sort_key)
