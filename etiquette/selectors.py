"""Reads of the etiquette app that views and other apps share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from departments.roles import is_administrator

from .models import Acknowledgement, GuideVersion, NetiquetteClause, NetiquetteVersion, Rule


def published_guides() -> QuerySet[GuideVersion]:
    return GuideVersion.objects.filter(status=GuideVersion.Status.PUBLISHED).order_by("-major", "-minor")


def current_guide() -> GuideVersion | None:
    """The newest published version of the guide, or None before the first one is published."""
    return published_guides().first()


def _current_major() -> Subquery:
    return Subquery(published_guides().values("major")[:1])


def has_acknowledged_current_guide(user) -> bool:
    """Whether ``user`` acknowledged a version with the current guide's major number (one query).

    False for anonymous users and while no guide is published: nobody posts untrained.
    """
    if user is None or not user.is_authenticated:
        return False
    return Acknowledgement.objects.filter(
        user_id=user.pk,
        version__status=GuideVersion.Status.PUBLISHED,
        version__major=_current_major(),
    ).exists()


def latest_acknowledgement(user) -> Acknowledgement | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Acknowledgement.objects.filter(user_id=user.pk)
        .select_related("version")
        .order_by("-version__major", "-version__minor")
        .first()
    )


def get_guide_version_for_user(user, pk: int) -> GuideVersion:
    """A published version for every logged-in user; drafts only for administrators (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    versions = GuideVersion.objects.all() if is_administrator(user) else published_guides()
    return get_object_or_404(versions, pk=pk)


def training_record(*, only_missing: bool = False, search: str = "") -> QuerySet:
    """Active users with the newest guide version they acknowledged and whether that covers the
    current version. One query, whatever the number of users."""
    User = get_user_model()
    newest = Acknowledgement.objects.filter(user=OuterRef("pk")).order_by(
        "-version__major", "-version__minor"
    )
    current_ok = Acknowledgement.objects.filter(
        user=OuterRef("pk"),
        version__status=GuideVersion.Status.PUBLISHED,
        version__major=_current_major(),
    )
    users = (
        User.objects.filter(is_active=True)
        .annotate(
            ack_major=Subquery(newest.values("version__major")[:1]),
            ack_minor=Subquery(newest.values("version__minor")[:1]),
            ack_at=Subquery(newest.values("acknowledged_at")[:1]),
            ack_current=Exists(current_ok),
        )
        .order_by("last_name", "first_name", "username")
    )
    if only_missing:
        users = users.filter(ack_current=False)
    if search:
        users = users.filter(
            Q(username__icontains=search) | Q(first_name__icontains=search) | Q(last_name__icontains=search)
        )
    return users


def rules_for_staff() -> QuerySet[Rule]:
    return (
        Rule.objects.filter(active=True)
        .exclude(severity=Rule.SeverityChoice.OFF)
        .order_by("position", "code")
    )


# --- The netiquette -------------------------------------------------------------------------------


def published_netiquettes() -> QuerySet[NetiquetteVersion]:
    return NetiquetteVersion.objects.filter(status=NetiquetteVersion.Status.PUBLISHED).order_by(
        "-major", "-minor"
    )


def current_netiquette():
    """The newest published netiquette with its clauses (two queries), or None."""
    return published_netiquettes().prefetch_related("clauses").first()


def netiquette_clause(anchor: str, *, version=None):
    """The clause with ``anchor`` in ``version`` (default: the current one), or None."""
    clauses = NetiquetteClause.objects.select_related("version").filter(anchor=anchor)
    if version is not None:
        return clauses.filter(version=version).first()
    return (
        clauses.filter(version__status=NetiquetteVersion.Status.PUBLISHED)
        .order_by("-version__major", "-version__minor")
        .first()
    )
