"""Reads about deliveries that views, template tags and other apps share."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from posts.selectors import visible_posts

from .models import Delivery, DeliveryAttempt, delivery_urgency


def deliveries_overview(*, status: str = "") -> QuerySet:
    """Every delivery for the coordination's page: problems first, then newest first; optionally only
    one status (or ``problems``: failed, uncertain, withdrawing, retrying)."""
    # The same expression as the index delivery_overview_idx: page 1 of 180,000 deliveries reads 50
    # index entries instead of sorting all of them.
    queryset = Delivery.objects.select_related("post", "post__department", "channel").annotate(
        urgency=delivery_urgency()
    )
    if status == "problems":
        queryset = queryset.filter(status__in=Delivery.PROBLEMS)
    elif status in Delivery.Status.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("urgency", "-updated_at", "-pk")


def delivery_counts() -> dict[str, int]:
    """Deliveries per status (one query) for the filter links."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in Delivery.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["problems"] = sum(counts[s] for s in Delivery.PROBLEMS)
    return counts


def deliveries_for_post(post) -> list:
    """The post's deliveries with channel and attempts (three queries), by channel name."""
    return list(
        Delivery.objects.filter(post=post)
        .select_related("channel", "withdrawn_by")
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number", "pk")))
        .order_by("channel__name")
    )


def with_deliveries(queryset):
    """Posts with their deliveries and channels prefetched (the calendar's state per channel)."""
    return queryset.prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.select_related("channel").order_by("channel__name"))
    )


def get_delivery_for_user(user, pk):
    """The delivery ``pk`` if ``user`` may see its post, else 404 (outsiders learn nothing)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    delivery = (
        Delivery.objects.select_related("post", "post__department", "post__author", "channel", "withdrawn_by")
        .filter(pk=pk, post__in=visible_posts(user))
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery
