"""Reads about reviews that views, services and other apps share: routing, who may decide, the queue.

Who decides a step
------------------
- ``coordination``: members of the Koordination group;
- ``department_head``: holders of the django-guardian object permission ``departments.lead_department``
  on the post's department (a head of another department does not hold it; superusers do not count);
- ``press``: members of the Pressestelle group.

Four eyes: nobody decides a step of a post they wrote or submitted, nor of a post they answer for
(``Post.responsible``: another system's post made in their name) – see :func:`refusal_reason`. The one
exception is a standing rule (a template's "approve automatically"): its approval is the documented
decision of the rule, so the person who answers for the post may have enabled it; the author and the
submitter are refused even then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel
from departments import roles
from departments.models import Department
from departments.selectors import departments_for_user
from etiquette import engine
from etiquette.types import Finding, Severity
from posts.models import Post, Revision
from posts.selectors import post_like_for

from .models import Review, ReviewStep, WarningAcknowledgement

LEAD_PERMISSION = "departments.lead_department"
# A planned time closer than this counts as "soon due" in the queue.
SOON_DUE = timedelta(hours=24)


# --- findings --------------------------------------------------------------------------------------------


def finding_dict(finding: Finding | dict) -> dict:
    return finding.as_dict() if isinstance(finding, Finding) else dict(finding)


def finding_key(finding: Finding | dict) -> str:
    """A stable name of one finding within one revision: rule, channel and place."""
    data = finding_dict(finding)

    def part(name):
        value = data.get(name)
        return "" if value is None else str(value)

    return "|".join(part(name) for name in ("rule", "channel", "start", "end", "media_index"))


def is_warning(finding: Finding | dict) -> bool:
    return str(finding_dict(finding).get("severity")) == Severity.WARN


def is_blocking(finding: Finding | dict) -> bool:
    return str(finding_dict(finding).get("severity")) == Severity.BLOCK


def routes_to_press(finding: Finding | dict) -> bool:
    """Press relevance found by the etiquette check: the rule says so, or it is a ``press.relevant`` /
    ``neutrality.*`` finding that is more than an information."""
    data = finding_dict(finding)
    if data.get("routes_to_press"):
        return True
    rule = str(data.get("rule", ""))
    severity = str(data.get("severity"))
    return (rule == "press.relevant" or rule.startswith("neutrality.")) and severity in {
        Severity.WARN,
        Severity.BLOCK,
    }


class _Keep:
    """Marker: keep the post's planned time (``None`` means "publish as soon as approved")."""

    def __repr__(self):
        return "KEEP"


KEEP = _Keep()


def current_findings(post: Post, *, planned_at: datetime | _Keep | None = KEEP) -> list[Finding]:
    """Run the etiquette check on the saved post now (optionally as if planned for ``planned_at``)."""
    post_like = post_like_for(post)
    if not isinstance(planned_at, _Keep):
        post_like = dataclasses.replace(post_like, scheduled_at=planned_at)
    return sorted(engine.check(post_like), key=Finding.sort_key)


# --- routing ---------------------------------------------------------------------------------------------


def is_press_relevant(post: Post, findings: Iterable[Finding | dict]) -> bool:
    return bool(post.press_relevant) or any(routes_to_press(f) for f in findings)


def step_kinds_for(department: Department, *, press_relevant: bool) -> list[str]:
    """The steps a submission of ``department`` goes through, in order."""
    kinds = [
        ReviewStep.Kind.DEPARTMENT_HEAD
        if department.review_mode == Department.ReviewMode.AUTONOMOUS
        else ReviewStep.Kind.COORDINATION
    ]
    if press_relevant:
        kinds.append(ReviewStep.Kind.PRESS)
    return kinds


# --- who may decide --------------------------------------------------------------------------------------


def led_departments(user) -> QuerySet[Department]:
    return departments_for_user(user, LEAD_PERMISSION)


def holds_step_role(user, step: ReviewStep, department: Department | None = None) -> bool:
    """Does ``user`` have the role the step asks for (ignoring four eyes)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if step.kind == ReviewStep.Kind.COORDINATION:
        return roles.is_coordinator(user)
    if step.kind == ReviewStep.Kind.PRESS:
        return roles.is_press_office(user)
    department = department or step.review.post.department
    return led_departments(user).filter(pk=department.pk).exists()


def is_own_post(user, review: Review) -> bool:
    return user.pk in {review.post.author_id, review.opened_by_id}


def answers_for_post(user, review: Review) -> bool:
    """Is ``user`` the person who answers for the post (its author being another system's service user)?"""
    return user.pk is not None and user.pk == review.post.responsible_id


def refusal_reason(user, step: ReviewStep | None, *, standing_rule: bool = False) -> str | None:
    """Why ``user`` may not decide ``step`` (a German sentence), or ``None`` if they may.

    ``standing_rule``: the decision is made by a rule ``user`` enabled (see the module's docstring)."""
    if step is None or step.status != ReviewStep.Status.OPEN or step.review.status != Review.Status.OPEN:
        return _("This post is not waiting for a review decision.")
    if is_own_post(user, step.review):
        return _("You wrote or submitted this post. Four-eyes principle: somebody else has to decide on it.")
    if not standing_rule and answers_for_post(user, step.review):
        return _(
            "You answer for this post (another system made it in your name). Four-eyes principle: "
            "somebody else has to decide on it."
        )
    if not holds_step_role(user, step):
        return {
            ReviewStep.Kind.COORDINATION: _("This step is decided by the social-media coordination."),
            ReviewStep.Kind.PRESS: _("This step is decided by the press office."),
            ReviewStep.Kind.DEPARTMENT_HEAD: _("This step is decided by the head of %(department)s.")
            % {"department": step.review.post.department.name},
        }[step.kind]
    return None


def may_decide(user, step: ReviewStep | None) -> bool:
    return refusal_reason(user, step) is None


def open_review_of(post: Post) -> Review | None:
    return Review.objects.filter(post=post, status=Review.Status.OPEN).first()


def open_step_of(review: Review | None) -> ReviewStep | None:
    if review is None or review.status != Review.Status.OPEN:
        return None
    return review.steps.filter(status=ReviewStep.Status.OPEN).first()


def is_current_reviewer(user, post: Post) -> bool:
    """May ``user`` decide (and therefore edit) the post's open review step right now?"""
    review = open_review_of(post)
    step = open_step_of(review)
    if step is None:
        return False
    step.review = review
    review.post = post
    return may_decide(user, step)


def reviewers_for(step: ReviewStep, department: Department):
    """The people who could decide ``step`` (before four eyes and visibility are applied)."""
    User = get_user_model()
    users = User.objects.filter(is_active=True)
    if step.kind == ReviewStep.Kind.COORDINATION:
        return users.filter(groups__name=roles.KOORDINATION).distinct()
    if step.kind == ReviewStep.Kind.PRESS:
        return users.filter(groups__name=roles.PRESSESTELLE).distinct()
    from guardian.shortcuts import get_users_with_perms

    heads = get_users_with_perms(
        department,
        only_with_perms_in=["lead_department"],
        with_superusers=False,
        with_group_users=False,
    )
    return users.filter(pk__in=heads.values("pk"))


# --- warnings and their acknowledgements -----------------------------------------------------------------


def acknowledgements_for(review: Review) -> dict[str, WarningAcknowledgement]:
    """The acknowledgements of the revision now under review, by finding key."""
    return {
        ack.finding_key: ack
        for ack in WarningAcknowledgement.objects.filter(review=review, revision_id=review.revision_id)
        .select_related("acknowledged_by", "step")
        .order_by("acknowledged_at", "pk")
    }


# --- the queue -------------------------------------------------------------------------------------------


def queue_for(user) -> QuerySet[ReviewStep]:
    """Open steps ``user`` may decide, most urgent first: planned time (earliest first, none last),
    then waiting time (longest first), then the step's id. A fixed number of queries whatever the length.

    To show a page of it, pass a slice to :func:`queue_rows` (``queue_rows(queue_for(user)[:25])``)
    rather than iterating over the slice: that sorts only the ids of the open steps and joins the
    shown columns for the rows of the page. Iterating over a slice of the queue itself joins post,
    department and author of every open step before the sort (``seed_scale`` at 100,000 posts: about
    2,000 open steps, twice the buffers and time; ``docs/benchmarks.md``)."""
    if not user.is_authenticated:
        return ReviewStep.objects.none()
    allowed = Q(kind=ReviewStep.Kind.DEPARTMENT_HEAD, review__post__department__in=led_departments(user))
    if roles.is_coordinator(user):
        allowed |= Q(kind=ReviewStep.Kind.COORDINATION)
    if roles.is_press_office(user):
        allowed |= Q(kind=ReviewStep.Kind.PRESS)
    return _queue_display(
        ReviewStep.objects.filter(allowed, status=ReviewStep.Status.OPEN, review__status=Review.Status.OPEN)
        .exclude(review__post__author=user)
        .exclude(review__opened_by=user)
        .exclude(review__post__responsible=user)
    )


def queue_rows(steps: QuerySet[ReviewStep]) -> QuerySet[ReviewStep]:
    """The rows of ``steps`` (a slice of :func:`queue_for`, filtered or not) with what the queue and
    the start page show, in queue order: one query (plus the prefetched channels), in which the
    slice is a subquery that sorts and limits only the step ids."""
    return _queue_display(ReviewStep.objects.filter(pk__in=steps))


def _queue_display(steps: QuerySet[ReviewStep]) -> QuerySet[ReviewStep]:
    return (
        steps.select_related("review__post__department", "review__post__author")
        .prefetch_related(Prefetch("review__post__channels", queryset=Channel.objects.order_by("name")))
        # Planned time ascending with "as soon as approved" last, then waiting time, then the id.
        .order_by(F("review__post__planned_at").asc(nulls_last=True), "activated_at", "pk")
    )


def queue_kinds_for(user) -> list[tuple[str, str]]:
    """The step kinds a user's queue can contain (for the filter)."""
    kinds = []
    if roles.is_coordinator(user):
        kinds.append(ReviewStep.Kind.COORDINATION)
    if led_departments(user).exists():
        kinds.append(ReviewStep.Kind.DEPARTMENT_HEAD)
    if roles.is_press_office(user):
        kinds.append(ReviewStep.Kind.PRESS)
    return [(kind.value, kind.label) for kind in kinds]


def has_queue(user) -> bool:
    return bool(queue_kinds_for(user))


def urgency(planned_at: datetime | None, now: datetime | None = None) -> str:
    """``overdue`` (planned time passed), ``soon`` (within :data:`SOON_DUE`) or ``""``."""
    if planned_at is None:
        return ""
    now = now or timezone.now()
    if planned_at <= now:
        return "overdue"
    if planned_at <= now + SOON_DUE:
        return "soon"
    return ""


# --- history ---------------------------------------------------------------------------------------------


def reviews_of(post: Post) -> QuerySet[Review]:
    return (
        Review.objects.filter(post=post)
        .select_related("revision__created_by", "submitted_revision", "opened_by", "finished_by")
        .prefetch_related(
            Prefetch("steps", queryset=ReviewStep.objects.select_related("decided_by", "revision"))
        )
        .order_by("-opened_at", "-pk")
    )


def previous_reviewed_revision(review: Review) -> Revision | None:
    """The last revision an earlier review of the same post saw (for "what changed since")."""
    earlier = (
        Review.objects.filter(post_id=review.post_id, opened_at__lt=review.opened_at)
        .exclude(pk=review.pk)
        .select_related("revision")
        .order_by("-opened_at", "-pk")
        .first()
    )
    return earlier.revision if earlier else None


def autonomous_approvals() -> QuerySet[Review]:
    """Posts that departments approved on their own (review mode ``autonomous``), newest first: what
    the coordinator looks at after the fact."""
    return (
        Review.objects.filter(status=Review.Status.APPROVED, mode=Review.Mode.AUTONOMOUS)
        .select_related("post__department", "post__author", "finished_by")
        .prefetch_related(
            Prefetch("post__channels", queryset=Channel.objects.order_by("name")),
            Prefetch(
                "steps",
                queryset=ReviewStep.objects.filter(kind=ReviewStep.Kind.DEPARTMENT_HEAD).select_related(
                    "decided_by"
                ),
                to_attr="head_steps",
            ),
        )
        .order_by("-finished_at", "-pk")
    )
