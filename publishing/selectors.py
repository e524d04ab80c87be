"""Reads about channels and rollout phases that views, services and other apps share."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from .models import Channel, RolloutPhase


def live_channels() -> QuerySet[Channel]:
    """Channels that may receive deliveries: enabled and part of at least one active rollout phase."""
    active_phase = RolloutPhase.objects.filter(channels=OuterRef("pk"), status=RolloutPhase.Status.ACTIVE)
    return Channel.objects.filter(enabled=True).filter(Exists(active_phase))


def channels_for_department(department) -> QuerySet[Channel]:
    """The live channels ``department`` may publish on (``Channel.departments`` is the source of truth;
    see the note in ``publishing/models.py`` on the guardian permission mirrored from it)."""
    if department is None or not getattr(department, "pk", None):
        return Channel.objects.none()
    return live_channels().filter(departments=department).order_by("name")


def channel_is_live(channel: Channel) -> bool:
    """May ``channel`` receive a delivery now? (Read fresh from the database, not from ``channel``.)"""
    if channel is None or channel.pk is None:
        return False
    return live_channels().filter(pk=channel.pk).exists()


def channel_is_in_active_phase(channel: Channel) -> bool:
    return RolloutPhase.objects.filter(channels=channel, status=RolloutPhase.Status.ACTIVE).exists()


def rollout_plan() -> QuerySet[RolloutPhase]:
    return RolloutPhase.objects.prefetch_related("channels", "departments").select_related("activated_by")


def next_phase() -> RolloutPhase | None:
    """The planned phase with the lowest order (the one the "activate" button starts)."""
    return RolloutPhase.objects.filter(status=RolloutPhase.Status.PLANNED).order_by("order").first()


# --- Deliveries ------------------------------------------------------------------------------------------


def _delivery_model():
    from .models import Delivery

    return Delivery


def deliveries_overview(*, status: str = "") -> QuerySet:
    """Every delivery for the coordination's page: problems first, then newest first; optionally only
    one status (or ``problems``: failed, uncertain, withdrawing, retrying)."""
    from .models import delivery_urgency

    Delivery = _delivery_model()
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
    from django.db.models import Count

    Delivery = _delivery_model()
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in Delivery.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["problems"] = sum(counts[s] for s in Delivery.PROBLEMS)
    return counts


def channels_needing_attention() -> QuerySet[Channel]:
    return Channel.objects.filter(attention_since__isnull=False).order_by("name")


def deliveries_for_post(post) -> list:
    """The post's deliveries with channel and attempts (three queries), by channel name."""
    from django.db.models import Prefetch

    from .models import DeliveryAttempt

    Delivery = _delivery_model()
    return list(
        Delivery.objects.filter(post=post)
        .select_related("channel", "withdrawn_by")
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number", "pk")))
        .order_by("channel__name")
    )


def with_deliveries(queryset):
    """Posts with their deliveries and channels prefetched (the calendar's state per channel)."""
    from django.db.models import Prefetch

    Delivery = _delivery_model()
    return queryset.prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.select_related("channel").order_by("channel__name"))
    )


def get_delivery_for_user(user, pk):
    """The delivery ``pk`` if ``user`` may see its post, else 404 (outsiders learn nothing)."""
    from django.http import Http404

    from posts.selectors import visible_posts

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    Delivery = _delivery_model()
    delivery = (
        Delivery.objects.select_related("post", "post__department", "post__author", "channel", "withdrawn_by")
        .filter(pk=pk, post__in=visible_posts(user))
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery
