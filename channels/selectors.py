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


def channels_needing_attention() -> QuerySet[Channel]:
    return Channel.objects.filter(attention_since__isnull=False).order_by("name")
