"""The review page and its decisions (approve, request changes, reject, edit, comment), the history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import selectors as audit_selectors
from posts import services as post_services
from posts.diff import diff_snapshots
from posts.live import live_from_post
from posts.models import Post
from posts.selectors import get_post_for_user, variants_of

from .. import selectors, services
from ..forms import (
    ApproveForm,
    CommentForm,
    RejectForm,
    RequestChangesForm,
    ReviewEditForm,
)
from ..models import ReviewStep
from ..selectors import KEEP

# --- the review page ---------------------------------------------------------------------------------------


class ReviewState:
    """What the review page knows about the post's reviews, for the current user."""

    def __init__(self, user, post: Post):
        self.user = user
        self.post = post
        self.reviews = list(selectors.reviews_of(post))
        self.review = next((r for r in self.reviews if r.is_open), self.reviews[0] if self.reviews else None)
        self.step = None
        self.is_last_step = False
        if self.review is not None:
            self.review.post = post
            steps = list(self.review.steps.all())
            self.step = next((s for s in steps if s.status == ReviewStep.Status.OPEN), None)
            if self.step is not None:
                self.step.review = self.review
                self.is_last_step = not any(s.status == ReviewStep.Status.WAITING for s in steps)
        self.refusal = selectors.refusal_reason(user, self.step) if self.step else None
        self.can_decide = self.step is not None and self.refusal is None
        self.acknowledged = selectors.acknowledgements_for(self.review) if self.step else {}

    def initial(self) -> dict:
        return {
            "step": self.step.pk if self.step else None,
            "revision": self.review.revision_id if self.review else None,
        }

    def approve_form(self, data=None, *, findings) -> ApproveForm:
        return ApproveForm(
            data,
            initial=self.initial(),
            warnings=[f for f in findings if selectors.is_warning(f)],
            acknowledged=self.acknowledged,
            is_last_step=self.is_last_step,
        )

    def edit_form(self, data=None) -> ReviewEditForm:
        channels = list(self.post.channels.order_by("name"))
        variants = variants_of(self.post)
        initial = {
            "revision": self.review.revision_id if self.review else None,
            "text": self.post.text,
            "link": self.post.link,
            **{f"variant_{pk}": text for pk, text in variants.items()},
        }
        return ReviewEditForm(data, initial=initial, channels=channels)


def _render_review(
    request, post: Post, state: ReviewState, *, forms: dict | None = None, findings=None, status=200
):
    live = live_from_post(post)
    findings = live["findings"] if findings is None else findings
    forms = forms or {}
    context = {
        "post": post,
        "state": state,
        "review": state.review,
        "step": state.step,
        "live": live,
        "warnings": [f for f in findings if selectors.is_warning(f)],
        "blocking": [f for f in findings if selectors.is_blocking(f)],
        "comments": post.comments.select_related("author"),
        "comment_form": forms.get("comment") or CommentForm(),
        "timeline": audit_selectors.timeline(post.pk),
        "now": timezone.now(),
        "urgency": selectors.urgency(post.planned_at),
    }
    if state.review is not None:
        previous = selectors.previous_reviewed_revision(state.review)
        context["previous_revision"] = previous
        if previous is not None and previous.pk != state.review.revision_id:
            context["diff"] = [
                d for d in diff_snapshots(previous.snapshot, state.review.revision.snapshot) if d.changed
            ]
    if state.can_decide:
        context["approve_form"] = forms.get("approve") or state.approve_form(findings=findings)
        context["changes_form"] = forms.get("changes") or RequestChangesForm(initial=state.initial())
        context["reject_form"] = forms.get("reject") or RejectForm(initial=state.initial())
        context["edit_form"] = forms.get("edit") or state.edit_form()
    return render(request, "approvals/review.html", context, status=status)


@login_required
@require_GET
def review(request, pk):
    post = get_post_for_user(request.user, pk)
    return _render_review(request, post, ReviewState(request.user, post))


def _posted_step(post: Post, value) -> ReviewStep:
    try:
        step_id = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(ReviewStep.objects.select_related("review"), pk=step_id, review__post=post)


def _after_decision(request, post: Post, message: str):
    messages.success(request, message)
    if selectors.has_queue(request.user):
        return redirect("approvals:queue")
    return redirect("approvals:review", post.pk)


def _refresh_revision(form, state: ReviewState):
    """Re-render a form for the revision now under review (after the post changed underneath)."""
    data = form.data.copy()
    data["revision"] = str(state.review.revision_id) if state.review else ""
    form.data = data


@login_required
@require_POST
def approve(request, pk):
    post = get_post_for_user(request.user, pk)
    step = _posted_step(post, request.POST.get("step"))
    state = ReviewState(request.user, post)
    # The warnings depend on the publication time chosen in this form (staffed hours): read it first.
    first = ApproveForm(request.POST, is_last_step=state.is_last_step)
    planned_at = first.planned_at_choice() if first.is_valid() else KEEP
    findings = selectors.current_findings(post, planned_at=planned_at)
    form = state.approve_form(request.POST, findings=findings)
    if form.is_valid():
        try:
            services.step_approve(
                actor=request.user,
                step=step,
                acknowledgements=form.acknowledgements(),
                planned_at=form.planned_at_choice(),
                comment=form.cleaned_data["comment"],
                revision=form.cleaned_data["revision"],
            )
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
        except services.StaleRevision as error:
            state = ReviewState(request.user, post)
            form = state.approve_form(request.POST, findings=selectors.current_findings(post))
            form.is_valid()
            form.add_error(None, error)
            _refresh_revision(form, state)
        except services.WarningsNotAcknowledged as error:
            for finding in error.missing:
                name = form.field_for(selectors.finding_key(finding))
                form.add_error(name, _("Please give a reason for approving despite this warning."))
        except services.ApprovalBlocked as error:
            form.add_error(None, error)
        except ValidationError as error:
            if hasattr(error, "error_dict") and not set(error.error_dict) <= set(form.fields):
                form.add_error(None, error.messages)
            else:
                form.add_error(None, error)
        else:
            return _after_decision(request, post, _("You approved “%(title)s”.") % {"title": post.title})
    return _render_review(request, post, state, forms={"approve": form}, findings=findings, status=400)


@login_required
@require_POST
def request_changes(request, pk):
    post = get_post_for_user(request.user, pk)
    step = _posted_step(post, request.POST.get("step"))
    state = ReviewState(request.user, post)
    form = RequestChangesForm(request.POST, initial=state.initial())
    if form.is_valid():
        try:
            services.step_request_changes(
                actor=request.user,
                step=step,
                comment=form.cleaned_data["comment"],
                revision=form.cleaned_data["revision"],
            )
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
        except services.StaleRevision as error:
            form.add_error(None, error)
            state = ReviewState(request.user, post)
            _refresh_revision(form, state)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_decision(
                request, post, _("“%(title)s” went back to its author for changes.") % {"title": post.title}
            )
    return _render_review(request, post, state, forms={"changes": form}, status=400)


@login_required
@require_POST
def reject(request, pk):
    post = get_post_for_user(request.user, pk)
    step = _posted_step(post, request.POST.get("step"))
    state = ReviewState(request.user, post)
    form = RejectForm(request.POST, initial=state.initial())
    if form.is_valid():
        try:
            services.step_reject(
                actor=request.user,
                step=step,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
        except services.StaleRevision as error:
            form.add_error(None, error)
            state = ReviewState(request.user, post)
            _refresh_revision(form, state)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_decision(request, post, _("You rejected “%(title)s”.") % {"title": post.title})
    return _render_review(request, post, state, forms={"reject": form}, status=400)


@login_required
@require_POST
def edit(request, pk):
    post = get_post_for_user(request.user, pk)
    state = ReviewState(request.user, post)
    if not state.can_decide:
        raise PermissionDenied(state.refusal or _("You may not edit this post."))
    form = state.edit_form(request.POST)
    if form.is_valid():
        try:
            review_obj = services.review_edit(
                actor=request.user,
                post=post,
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
                variants=form.variants(),
                revision=form.cleaned_data["revision"],
            )
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
        except services.StaleRevision as error:
            form.add_error(None, error)
            _refresh_revision(form, ReviewState(request.user, post))
        except ValidationError as error:
            if hasattr(error, "error_dict") and not set(error.error_dict) <= set(form.fields):
                form.add_error(None, error.messages)
            else:
                form.add_error(None, error)
        else:
            review_obj.refresh_from_db()
            messages.success(
                request,
                _("Your change is saved as revision %(number)s; the author is told about it.")
                % {"number": review_obj.revision.number},
            )
            return redirect("approvals:review", post.pk)
    return _render_review(request, post, state, forms={"edit": form}, status=400)


@login_required
@require_POST
def comment(request, pk):
    post = get_post_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            post_services.post_comment_add(actor=request.user, post=post, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your comment is saved."))
            return redirect(reverse("approvals:review", args=[post.pk]) + "#comments")
    return _render_review(request, post, ReviewState(request.user, post), forms={"comment": form}, status=400)


@login_required
@require_GET
def history(request, pk):
    post = get_post_for_user(request.user, pk)
    return render(
        request,
        "approvals/history.html",
        {"post": post, "timeline": audit_selectors.timeline(post.pk), "reviews": selectors.reviews_of(post)},
    )
