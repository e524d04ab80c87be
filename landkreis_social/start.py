"""The start page: per role, what is waiting and where it is done.

Each panel is a function ``(user, now) -> Panel | None`` that reads at most a couple of rows with a
fixed number of queries (a limited list, plus a capped count where "N more" is shown): the page costs
the same at 100 posts as at 100,000 (``tests/landkreis_social/test_start_page.py``,
``bench/pages_bench.py``). :data:`PANELS` decides which panels a role sees and in which order; a new
part of the app (the inbox, for instance) adds a panel function to the roles' lists below without
touching the template – ``templates/start/panel.html`` renders every panel alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import ReviewStep
from approvals.selectors import queue_for, queue_rows
from audit.models import AuditChainHead, AuditEvent
from channels.models import Channel, RolloutPhase
from departments import roles
from etiquette.selectors import current_guide, training_record
from inbox import selectors as inbox_selectors
from landkreis_social.navigation import COUNT_CAP
from posts.models import Post
from posts.selectors import drafting_departments, visible_posts
from publishing.models import Delivery

LIST_LIMIT = 5


@dataclass
class Item:
    title: str
    url: str
    meta: str = ""  # one line under the title (department, time, channel …)
    note: str = ""  # a quoted comment or an error message, shown as a block
    badge: str = ""  # a short state ("überfällig", "heute" …)
    badge_tone: str = ""  # "danger", "warning", "ok" or ""
    network: str = ""  # a network kind: its icon is shown before the title


@dataclass
class Panel:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""  # what to do when there is nothing (never just "nothing")
    more_url: str = ""
    more_label: str = ""
    total: int | None = None  # shown next to the title when known
    total_capped: bool = False  # ``total`` is a capped count (:func:`_capped_count`)
    lead: str = ""  # a sentence above the list (e.g. the audit chain's state)
    lead_tone: str = ""

    @property
    def total_display(self) -> str:
        """``total`` as shown: a capped count above the cap as "99+"."""
        if not self.total:
            return ""
        return f"{COUNT_CAP}+" if self.total_capped and self.total > COUNT_CAP else str(self.total)


@dataclass
class StartPage:
    actions: list[tuple[str, str, str]]  # (label, url, icon): the big buttons on top
    panels: list[Panel]


def _fmt(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%d.%m.%Y, %H:%M")


def _limited(queryset, limit: int = LIST_LIMIT) -> tuple[list, bool]:
    """The first ``limit`` rows and whether there are more (one query: limit + 1 rows)."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def _capped_count(queryset) -> int:
    """How many rows, counting no further than ``COUNT_CAP + 1`` (shown as "99+", as in the
    navigation): one query that stops early however many rows there are."""
    return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()


def _list_url(**params) -> str:
    return reverse("posts:list") + "?" + urlencode(params, doseq=True)


def _post_item(post: Post, *, meta: str = "", note: str = "", badge: str = "", tone: str = "") -> Item:
    return Item(
        title=post.title,
        url=reverse("posts:detail", args=[post.pk]),
        meta=meta,
        note=note,
        badge=badge,
        badge_tone=tone,
    )


# --- Redaktion -----------------------------------------------------------------------------------------


def my_drafts(user, now) -> Panel:
    rows, more = _limited(
        Post.objects.filter(author=user, status=Post.Status.DRAFT)
        .select_related("department")
        .order_by("-updated_at", "-pk")
    )
    return Panel(
        key="drafts",
        title=_("My drafts"),
        items=[
            Item(
                title=post.title,
                url=reverse("posts:edit", args=[post.pk]),
                meta=_("%(department)s · changed %(when)s")
                % {"department": post.department.code, "when": _fmt(post.updated_at)},
            )
            for post in rows
        ],
        empty=_("No drafts. Start with “New post” – a draft is saved while you type."),
        more_url=_list_url(scope="mine", status="draft") if more else "",
        more_label=_("All my drafts"),
    )


def sent_back_to_me(user, now) -> Panel:
    comment = (
        ReviewStep.objects.filter(review__post=OuterRef("pk"), status=ReviewStep.Status.CHANGES_REQUESTED)
        .order_by("-decided_at", "-pk")
        .values("comment")[:1]
    )
    rows, more = _limited(
        Post.objects.filter(author=user, status=Post.Status.CHANGES_REQUESTED)
        .annotate(change_comment=Subquery(comment))
        .order_by("-updated_at", "-pk")
    )
    return Panel(
        key="sent-back",
        title=_("Sent back to me"),
        items=[
            Item(
                title=post.title,
                url=reverse("posts:edit", args=[post.pk]),
                meta=_("changes requested · %(when)s") % {"when": _fmt(post.updated_at)},
                note=post.change_comment or "",
                badge=_("to revise"),
                badge_tone="warning",
            )
            for post in rows
        ],
        empty=_("Nothing sent back. When a reviewer asks for changes, the post and the comment appear here."),
        more_url=_list_url(scope="mine", status="changes_requested") if more else "",
        more_label=_("All posts sent back to me"),
    )


def my_posts_in_review(user, now) -> Panel:
    rows, more = _limited(
        Post.objects.filter(author=user, status=Post.Status.IN_REVIEW).order_by("-submitted_at", "-pk")
    )
    return Panel(
        key="in-review",
        title=_("My posts in review"),
        items=[
            _post_item(post, meta=_("submitted %(when)s") % {"when": _fmt(post.submitted_at)})
            for post in rows
        ],
        empty=_("None of your posts waits for a review. Submit a draft when it is ready."),
        more_url=_list_url(status="in_review") if more else "",
        more_label=_("All posts in review"),
    )


def planned_this_week(user, now) -> Panel:
    rows, _more = _limited(
        visible_posts(user)
        .filter(
            status__in=(Post.Status.APPROVED, Post.Status.SCHEDULED, Post.Status.IN_REVIEW),
            planned_at__gte=now,
            planned_at__lt=now + timedelta(days=7),
        )
        .select_related("department")
        .order_by("planned_at", "pk"),
        limit=8,
    )
    return Panel(
        key="this-week",
        title=_("Planned for the next 7 days"),
        items=[
            _post_item(
                post,
                meta=f"{_fmt(post.planned_at)} · {post.department.code} · {post.get_status_display()}",
            )
            for post in rows
        ],
        empty=_("Nothing planned for the next 7 days. The editorial calendar shows what comes later."),
        more_url=reverse("posts:calendar") + "?view=week",
        more_label=_("Open the calendar"),
    )


def my_delivery_problems(user, now) -> Panel | None:
    rows, more = _limited(
        Delivery.objects.filter(
            post__author=user, status__in=(Delivery.Status.FAILED, Delivery.Status.UNCERTAIN)
        )
        .select_related("post", "channel")
        .order_by("-updated_at", "-pk")
    )
    if not rows:
        return None  # nothing went wrong: no panel at all
    return Panel(
        key="my-deliveries",
        title=_("Publications of my posts that went wrong"),
        items=[
            Item(
                title=delivery.post.title,
                url=reverse("publishing:delivery", args=[delivery.pk]),
                meta=f"{delivery.channel.name} · {delivery.get_status_display()}",
                badge=delivery.get_status_display(),
                badge_tone="danger",
                network=delivery.channel.kind,
            )
            for delivery in rows
        ],
        more_url=_list_url(scope="all", status=["failed", "partially_failed"]) if more else "",
        more_label=_("All failed posts"),
    )


def inbox_due(user, now) -> Panel | None:
    """What citizens wrote that still waits for a reaction of the user's departments, earliest due first.
    Only kind, channel and due time are shown here: the citizens' texts and names stay in the inbox."""
    if not inbox_selectors.may_use_inbox(user):
        return None
    rows, _more = _limited(
        inbox_selectors.visible_items(user)
        .filter(is_open=True, first_reaction_at__isnull=True, due_at__isnull=False)
        .select_related("channel")
        .order_by("due_at", "pk")
    )
    items = []
    for item in rows:
        state = inbox_selectors.urgency(item, now)
        badge, tone = {"overdue": (_("overdue"), "danger"), "soon": (_("due soon"), "warning")}.get(
            state, ("", "")
        )
        items.append(
            Item(
                title=f"{item.get_kind_display()} · {item.channel.name}",
                url=reverse("inbox:item", args=[item.pk]),
                meta=_("reaction due %(when)s") % {"when": _fmt(item.due_at)},
                badge=badge,
                badge_tone=tone,
                network=item.channel.kind,
            )
        )
    return Panel(
        key="inbox-due",
        title=_("Inbox: reactions due"),
        items=items,
        empty=_("Nothing in the inbox waits for a reaction from your department."),
        more_url=reverse("inbox:list"),
        more_label=_("Open the inbox"),
    )


# --- Review (Fachbereichsleitung, Koordination, Pressestelle) ---------------------------------------------


def waiting_for_me(user, now) -> Panel:
    queue = queue_for(user)
    rows = list(queue_rows(queue[:8]))
    today_end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    items = []
    for step in rows:
        post = step.review.post
        if post.planned_at is not None and post.planned_at <= now:
            badge, tone = _("overdue"), "danger"
        elif post.planned_at is not None and post.planned_at <= today_end:
            badge, tone = _("due today"), "warning"
        else:
            badge, tone = "", ""
        planned = _fmt(post.planned_at) if post.planned_at else _("as soon as approved")
        items.append(
            Item(
                title=post.title,
                url=reverse("approvals:review", args=[post.pk]),
                meta=f"{post.department.code} · {step.get_kind_display()} · {planned}",
                badge=badge,
                badge_tone=tone,
            )
        )
    total = _capped_count(queue)
    title = (
        _("Press steps waiting for you")
        if roles.user_groups(user) == {roles.PRESSESTELLE}
        else _("Waiting for your decision")
    )
    return Panel(
        key="waiting",
        title=title,
        items=items,
        total=total,
        total_capped=True,
        empty=_("Nothing waits for your decision. New submissions appear here and in “Approvals”."),
        more_url=reverse("approvals:queue"),
        more_label=_("Open the approval queue"),
    )


def replies_to_approve(user, now) -> Panel | None:
    """Replies to citizens waiting for the user's approval – channel, department and how long they wait;
    the reply itself and what the citizen wrote are read on the conversation page."""
    if not inbox_selectors.may_approve_replies(user):
        return None
    queue = inbox_selectors.replies_waiting_for(user).select_related("item__channel", "item__department")
    rows, _more = _limited(queue, limit=5)
    items = [
        Item(
            title=f"{reply.item.get_kind_display()} · {reply.item.channel.name}",
            url=reverse("inbox:item", args=[reply.item_id]) + f"#reply-{reply.pk}",
            meta=" · ".join(
                part
                for part in (
                    reply.item.department.code if reply.item.department_id else "",
                    _("written %(when)s") % {"when": _fmt(reply.created_at)},
                )
                if part
            ),
            network=reply.item.channel.kind,
        )
        for reply in rows
    ]
    return Panel(
        key="replies",
        title=_("Replies to approve"),
        items=items,
        total=queue.count(),  # always (a fixed number of queries)
        empty=_("No reply to a citizen waits for your approval."),
        more_url=reverse("inbox:reply_queue"),
        more_label=_("Open the replies to approve"),
    )


# --- Koordination: what needs attention ------------------------------------------------------------------


def channels_needing_attention(user, now) -> Panel | None:
    channels = list(
        Channel.objects.filter(attention_since__isnull=False).order_by("attention_since")[:LIST_LIMIT]
    )
    if not channels:
        return None
    return Panel(
        key="channels-attention",
        title=_("Channels that need attention"),
        items=[
            Item(
                title=channel.name,
                url=reverse("publishing:deliveries"),
                meta=_("since %(when)s") % {"when": _fmt(channel.attention_since)},
                note=channel.attention_message,
                badge=_("problem"),
                badge_tone="danger",
                network=channel.kind,
            )
            for channel in channels
        ],
    )


def deliveries_needing_attention(user, now) -> Panel:
    rows, _more = _limited(
        Delivery.objects.filter(status__in=(Delivery.Status.FAILED, Delivery.Status.UNCERTAIN))
        .select_related("post", "channel")
        .order_by("-updated_at", "-pk")
    )
    return Panel(
        key="deliveries-attention",
        title=_("Publications that need attention"),
        items=[
            Item(
                title=delivery.post.title,
                url=reverse("publishing:delivery", args=[delivery.pk]),
                meta=f"{delivery.channel.name} · {_fmt(delivery.updated_at)}",
                badge=delivery.get_status_display(),
                badge_tone="danger",
                network=delivery.channel.kind,
            )
            for delivery in rows
        ],
        empty=_("No failed publication and none whose outcome is unknown."),
        more_url=reverse("publishing:deliveries") + "?status=problems",
        more_label=_("All publications"),
    )


# --- Administration -----------------------------------------------------------------------------------


def rollout_state(user, now) -> Panel:
    phases = list(RolloutPhase.objects.order_by("order")[:12])
    active = [phase for phase in phases if phase.status == RolloutPhase.Status.ACTIVE]
    upcoming = next((phase for phase in phases if phase.status == RolloutPhase.Status.PLANNED), None)
    items = [
        Item(
            title=f"{phase.order}. {phase.name}",
            url=reverse("publishing:rollout"),
            meta=phase.get_status_display()
            + (f" · {_fmt(phase.activated_at)}" if phase.activated_at else "")
            + (
                f" · {_('planned start')} {phase.planned_start:%d.%m.%Y}"
                if phase.planned_start and not phase.activated_at
                else ""
            ),
            badge=_("active") if phase in active else (_("next") if phase == upcoming else ""),
            badge_tone="ok" if phase in active else "",
        )
        for phase in phases
    ]
    return Panel(
        key="rollout",
        title=_("Rollout"),
        items=items,
        empty=_(
            "No rollout phase yet. Plan the first phase (which channels, which departments) in the rollout."
        ),
        more_url=reverse("publishing:rollout"),
        more_label=_("Open the rollout"),
    )


def channel_health(user, now) -> Panel:
    channels = list(Channel.objects.order_by("name")[:20])
    items = []
    for channel in channels:
        if channel.attention_since:
            badge, tone = _("problem"), "danger"
        elif channel.check_ok is False:
            badge, tone = _("access failed"), "danger"
        elif channel.check_ok:
            badge, tone = _("access ok"), "ok"
        else:
            badge, tone = _("never checked"), "warning"
        checked = (
            _("last access check %(when)s") % {"when": _fmt(channel.checked_at)}
            if channel.checked_at
            else _("access never checked")
        )
        state = _("enabled") if channel.enabled else _("switched off")
        items.append(
            Item(
                title=channel.name,
                url=reverse("admin:channels_channel_change", args=[channel.pk]),
                meta=f"{state} · {checked}",
                note=channel.attention_message
                or (channel.check_message if channel.check_ok is False else ""),
                badge=badge,
                badge_tone=tone,
                network=channel.kind,
            )
        )
    return Panel(
        key="channel-health",
        title=_("Channel health"),
        items=items,
        empty=_("No channel yet. Add the county's accounts under Administration → Channels."),
        more_url=reverse("admin:channels_channel_changelist"),
        more_label=_("Manage channels"),
    )


def audit_chain_state(user, now) -> Panel:
    """The newest event and the chain head agree (a cheap check of the chain's end, one query each);
    the full walk over every event is ``manage.py audit_verify`` – too slow for a page at scale."""
    head = AuditChainHead.objects.filter(id=1).first()
    newest = AuditEvent.objects.order_by("-sequence").only("sequence", "hash", "created_at").first()
    if newest is None and (head is None or head.last_sequence == 0):
        lead, tone = _("The audit trail is empty."), ""
    elif (
        head is not None
        and newest is not None
        and (head.last_sequence, head.last_hash) == (newest.sequence, newest.hash)
    ):
        lead = _("The end of the chain is intact: %(count)s events, the newest on %(when)s.") % {
            "count": formats.number_format(newest.sequence, force_grouping=True),
            "when": _fmt(newest.created_at),
        }
        tone = "ok"
    else:
        lead, tone = (
            _("The end of the chain does not match its head – run “manage.py audit_verify” now."),
            "danger",
        )
    return Panel(
        key="audit",
        title=_("Audit trail"),
        lead=str(lead) + " " + str(_("The complete check of every link: manage.py audit_verify.")),
        lead_tone=tone,
        more_url=reverse("approvals:audit"),
        more_label=_("Open the audit trail"),
    )


def guide_not_confirmed(user, now) -> Panel:
    guide = current_guide()
    if guide is None:
        return Panel(
            key="guide",
            title=_("Etiquette guide"),
            empty=_("No guide is published yet. Publish the first version in the administration."),
            more_url=reverse("admin:index"),
            more_label=_("Administration"),
        )
    missing = training_record(only_missing=True)
    rows, _more = _limited(missing, limit=8)
    total = missing.count()
    return Panel(
        key="guide",
        title=_("Not yet confirmed: etiquette guide %(version)s")
        % {"version": f"{guide.major}.{guide.minor}"},
        total=total,
        items=[
            Item(
                title=person.get_full_name() or person.get_username(),
                url=reverse("etiquette:training_record")
                + "?"
                + urlencode({"missing": "1", "q": person.get_username()}),
                meta=(
                    _("confirmed %(version)s") % {"version": f"{person.ack_major}.{person.ack_minor}"}
                    if person.ack_major is not None
                    else _("never confirmed")
                ),
            )
            for person in rows
        ],
        empty=_("Everybody has confirmed the current guide."),
        more_url=reverse("etiquette:training_record") + "?missing=1",
        more_label=_("Open the training record"),
    )


# --- Which role sees what ---------------------------------------------------------------------------------

PanelFunction = Callable[[object, datetime], Panel | None]

# In the order they are shown. A user with several roles sees each panel once, in the order of the first
# role that lists it. The inbox (issue 15) adds its "due soon" panel to REDAKTION and its triage panel
# to KOORDINATION here.
PANELS: dict[str, tuple[PanelFunction, ...]] = {
    roles.REDAKTION: (
        sent_back_to_me,
        my_delivery_problems,
        inbox_due,
        my_drafts,
        my_posts_in_review,
        planned_this_week,
    ),
    roles.FACHBEREICHSLEITUNG: (
        waiting_for_me,
        replies_to_approve,
        sent_back_to_me,
        my_delivery_problems,
        inbox_due,
        my_drafts,
        my_posts_in_review,
        planned_this_week,
    ),
    roles.KOORDINATION: (
        waiting_for_me,
        replies_to_approve,
        channels_needing_attention,
        deliveries_needing_attention,
        planned_this_week,
    ),
    roles.PRESSESTELLE: (waiting_for_me, planned_this_week),
    roles.ADMINISTRATION: (rollout_state, channel_health, audit_chain_state, guide_not_confirmed),
}
ROLE_ORDER = (
    roles.FACHBEREICHSLEITUNG,
    roles.REDAKTION,
    roles.KOORDINATION,
    roles.PRESSESTELLE,
    roles.ADMINISTRATION,
)


def start_page(user, now: datetime | None = None) -> StartPage:
    now = now or timezone.now()
    groups = roles.user_groups(user)
    actions = []
    if groups & {roles.REDAKTION, roles.FACHBEREICHSLEITUNG} and drafting_departments(user).exists():
        actions.append((_("New post"), reverse("posts:create"), "plus-lg"))
    seen: set[PanelFunction] = set()
    panels = []
    for role in ROLE_ORDER:
        if role not in groups:
            continue
        for function in PANELS[role]:
            if function in seen:
                continue
            seen.add(function)
            panel = function(user, now)
            if panel is not None:
                panels.append(panel)
    return StartPage(actions=actions, panels=panels)
