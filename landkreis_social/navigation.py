"""The app shell's navigation: groups by task, the entries each role may use, and their counts.

This module is the one place that lists the navigation. The base template only loops over what
:func:`build` returns, so a new part of the app adds an :class:`Entry` here (and, if it has something
waiting, a ``count`` provider) without touching any template.

- ``visible(user) -> bool`` decides who sees an entry. Use the role checks of ``departments.roles``
  (they read the user's groups once per request) or anything else that costs no query per page.
- ``count(user) -> QuerySet`` (optional) returns the rows the badge counts ("waiting for you"). All
  counts of a page – and the unread notifications of the bell – are read in **one** query (each
  queryset becomes a capped ``COUNT`` subquery), so a page costs the same whatever the role and the
  amount of data. Counts are capped at :data:`COUNT_CAP` ("99+").
- ``active`` lists the view names (or ``namespace:`` prefixes) under which the entry is marked as the
  current page; by default its own ``url_name``.

Groups follow the work: Schreiben, Prüfen, Veröffentlichen, Auswerten (the committee's reports), Verwaltung. The inbox's entry
("Posteingang") sits in the ``review`` group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import IntegerField, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from approvals.selectors import queue_for
from channels.models import Channel
from departments import roles
from inbox import selectors as inbox_selectors
from notifications.models import Notification
from posts.models import Post
from publishing.models import Delivery

COUNT_CAP = 99


def _member(user) -> bool:
    return bool(roles.user_groups(user) & {roles.REDAKTION, roles.FACHBEREICHSLEITUNG})


def _works_with_posts(user) -> bool:
    return _member(user) or roles.sees_all_departments(user)


def _reviews(user) -> bool:
    return bool(roles.user_groups(user) & {roles.KOORDINATION, roles.PRESSESTELLE, roles.FACHBEREICHSLEITUNG})


def _coordinates(user) -> bool:
    return bool(roles.user_groups(user) & {roles.KOORDINATION, roles.ADMINISTRATION})


def _reads_reports(user) -> bool:
    return bool(
        roles.user_groups(user)
        & {roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION, roles.FACHBEREICHSLEITUNG}
    )


def _administers(user) -> bool:
    return roles.is_administrator(user)


def _admin_site(user) -> bool:
    return roles.is_administrator(user) or user.is_staff


# --- count providers: each returns the rows its badge counts ------------------------------------------


def my_open_drafts(user) -> QuerySet:
    """Drafts and posts sent back for changes that ``user`` wrote: their to-do list."""
    return Post.objects.filter(author=user, status__in=Post.AUTHOR_EDITABLE)


def review_steps_waiting(user) -> QuerySet:
    return queue_for(user).order_by()


def deliveries_needing_attention(user) -> QuerySet:
    """Deliveries that failed or whose outcome is unknown (a person has to look)."""
    return Delivery.objects.filter(status__in=(Delivery.Status.FAILED, Delivery.Status.UNCERTAIN))


def channels_needing_attention(user) -> QuerySet:
    return Channel.objects.filter(attention_since__isnull=False)


def inbox_waiting(user) -> QuerySet:
    """What citizens wrote that the user's departments (or, for the county-wide roles, anybody) must
    still react to – as the inbox counted it before the shell."""
    return inbox_selectors.visible_items(user).filter(is_open=True, first_reaction_at__isnull=True)


def replies_waiting(user) -> QuerySet:
    """Replies to citizens that wait for the user's approval."""
    return inbox_selectors.replies_waiting_for(user).order_by()


def unread_notifications(user) -> QuerySet:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


# --- the navigation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    icon: str  # a bootstrap-icons name in static/icons/sprite.svg
    visible: Callable[[object], bool]
    count: Callable[[object], QuerySet] | None = None
    # What the number means, for screen readers ("3 waiting").
    count_label: str = _("waiting")
    active: tuple[str, ...] = ()
    # View names that fall under ``active`` but belong to another entry (the reply queue lives in the
    # inbox's namespace and has an entry of its own).
    inactive: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.url_name.replace(":", "-").replace("_", "-")

    def is_active(self, view_name: str) -> bool:
        if view_name in self.inactive:
            return False
        for pattern in self.active or (self.url_name,):
            if view_name == pattern or (pattern.endswith(":") and view_name.startswith(pattern)):
                return True
        return False


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)


GROUPS: tuple[Group, ...] = (
    Group(
        "write",
        pgettext_lazy("navigation group", "Write"),
        (
            Entry(
                "posts:list",
                _("Posts"),
                "pencil-square",
                _works_with_posts,
                count=my_open_drafts,
                count_label=_("open drafts of yours"),
                active=("posts:list", "posts:create", "posts:detail", "posts:edit", "posts:revisions"),
            ),
            Entry("posts:calendar", _("Editorial calendar"), "calendar3", _works_with_posts),
            Entry(
                "etiquette:guide", _("Etiquette"), "journal-text", lambda user: True, active=("etiquette:",)
            ),
        ),
    ),
    Group(
        "review",
        pgettext_lazy("navigation group", "Review"),
        (
            Entry(
                "approvals:queue",
                _("Approvals"),
                "check2-square",
                _reviews,
                count=review_steps_waiting,
                count_label=_("waiting for you"),
                active=("approvals:queue", "approvals:review", "approvals:history", "approvals:autonomous"),
            ),
            Entry(
                "inbox:list",
                _("Inbox"),
                "inbox",
                inbox_selectors.may_use_inbox,
                count=inbox_waiting,
                count_label=_("waiting for a reaction"),
                active=("inbox:",),
                inactive=("inbox:reply_queue",),
            ),
            Entry(
                "inbox:reply_queue",
                _("Replies to approve"),
                "check-circle",
                inbox_selectors.may_approve_replies,
                count=replies_waiting,
                count_label=_("waiting for you"),
            ),
        ),
    ),
    Group(
        "publish",
        pgettext_lazy("navigation group", "Publish"),
        (
            Entry(
                "publishing:deliveries",
                _("Deliveries"),
                "send",
                _coordinates,
                count=deliveries_needing_attention,
                count_label=_("need attention"),
                active=("publishing:deliveries", "publishing:delivery"),
            ),
            Entry(
                "admin:channels_channel_changelist",
                _("Channels"),
                "broadcast",
                _administers,
                count=channels_needing_attention,
                count_label=_("need attention"),
            ),
            Entry(
                "publishing:sandbox",
                _("Sandbox feed"),
                "cone-striped",
                _coordinates,
                active=("publishing:sandbox", "publishing:sandbox_post"),
            ),
        ),
    ),
    Group(
        "evaluate",
        pgettext_lazy("navigation group", "Evaluate"),
        (Entry("reports:index", _("Reports"), "bar-chart-line", _reads_reports, active=("reports:",)),),
    ),
    Group(
        "admin",
        pgettext_lazy("navigation group", "Administration"),
        (
            Entry("publishing:rollout", _("Rollout"), "layers", _administers),
            Entry("approvals:review_modes", _("Review modes"), "diagram-3", _administers),
            Entry("approvals:audit", _("Audit trail"), "shield-check", _administers),
            Entry("admin:index", _("Administration"), "gear", _admin_site, active=("admin:index",)),
        ),
    ),
)


class _CappedCount(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _capped)"
    output_field = IntegerField()


def read_counts(user, providers: dict[str, Callable[[object], QuerySet]]) -> dict[str, int]:
    """Every provider's count for ``user`` in one query (each capped at ``COUNT_CAP + 1`` rows)."""
    if not providers:
        return {}
    annotations = {
        name: _CappedCount(provider(user).order_by().values("pk")[: COUNT_CAP + 1])
        for name, provider in providers.items()
    }
    row = get_user_model().objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).first()
    return dict(row or dict.fromkeys(annotations, 0))


@dataclass
class NavLink:
    label: str
    url: str
    icon: str
    key: str
    active: bool
    count: int | None = None
    count_label: str = ""

    @property
    def count_display(self) -> str:
        if not self.count:
            return ""
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)


@dataclass
class NavGroup:
    key: str
    label: str
    links: list[NavLink]


class Navigation:
    """What the shell shows for one request; evaluated only when a template uses it (htmx fragments
    that do not extend the base template cost nothing)."""

    def __init__(self, request):
        self.request = request
        self.user = request.user
        match = getattr(request, "resolver_match", None)
        self.view_name = match.view_name if match else ""

    @cached_property
    def _visible(self) -> list[tuple[Group, list[tuple[Entry, str]]]]:
        result = []
        for group in GROUPS:
            entries = []
            for entry in group.entries:
                if not entry.visible(self.user):
                    continue
                try:
                    url = reverse(entry.url_name)
                except NoReverseMatch:  # the page's app is not installed (yet)
                    continue
                entries.append((entry, url))
            if entries:
                result.append((group, entries))
        return result

    @cached_property
    def _counts(self) -> dict[str, int]:
        providers = {"unread": unread_notifications}
        for _group, entries in self._visible:
            for entry, _url in entries:
                if entry.count is not None:
                    providers[entry.key.replace("-", "_")] = entry.count
        return read_counts(self.user, providers)

    @cached_property
    def groups(self) -> list[NavGroup]:
        counts = self._counts
        return [
            NavGroup(
                key=group.key,
                label=group.label,
                links=[
                    NavLink(
                        label=entry.label,
                        url=url,
                        icon=entry.icon,
                        key=entry.key,
                        active=entry.is_active(self.view_name),
                        count=counts.get(entry.key.replace("-", "_")) if entry.count else None,
                        count_label=entry.count_label,
                    )
                    for entry, url in entries
                ],
            )
            for group, entries in self._visible
        ]

    @cached_property
    def unread(self) -> int:
        return self._counts.get("unread", 0)

    @property
    def unread_display(self) -> str:
        return f"{COUNT_CAP}+" if self.unread > COUNT_CAP else str(self.unread)

    def links(self) -> list[NavLink]:
        return [link for group in self.groups for link in group.links]


def build(request) -> Navigation:
    return Navigation(request)
