"""Thin views: look the post up through the permission-aware accessor, validate with a form, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import export as audit_export_service
from audit import selectors as audit_selectors
from audit.services import audit_verify_chain
from departments import roles
from departments.models import Department
from departments.services import department_set_review_mode
from notifications.models import Notification
from notifications.services import notification_text, notification_url
from posts import services as post_services
from posts.diff import diff_snapshots
from posts.live import live_from_post
from posts.models import Post
from posts.selectors import get_post_for_user, variants_of

from . import selectors, services
from .forms import (
    ApproveForm,
    AuditExportForm,
    AutonomousFilter,
    CommentForm,
    QueueFilter,
    RejectForm,
    RequestChangesForm,
    ReviewEditForm,
    ReviewModeForm,
)
from .models import ReviewStep
from .selectors import KEEP

PAGE_SIZE = 25


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the queue ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    user = request.user
    kinds = selectors.queue_kinds_for(user)
    if not kinds:
        raise PermissionDenied(_("You do not review posts."))
    departments = (
        Department.objects.filter(active=True)
        if roles.sees_all_departments(user)
        else selectors.led_departments(user)
    )
    queue_filter = QueueFilter(
        request.GET, queryset=selectors.queue_for(user), departments=departments, kinds=kinds
    )
    page = Paginator(queue_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "step": step,
            "review": step.review,
            "post": step.review.post,
            "urgency": selectors.urgency(step.review.post.planned_at, now),
        }
        for step in page
    ]
    return render(
        request,
        "approvals/queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "show_kind_filter": len(kinds) > 1,
            "is_coordinator": roles.is_coordinator(user) or roles.is_administrator(user),
            "now": now,
        },
    )


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
            services.step_request_changes(actor=request.user, step=step, comment=form.cleaned_data["comment"])
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
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
            services.step_reject(actor=request.user, step=step, reason=form.cleaned_data["reason"])
        except services.InvalidReviewState as error:
            messages.error(request, error.messages[0])
            return redirect("approvals:review", post.pk)
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


# --- notifications -----------------------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request):
    items = Notification.objects.filter(recipient=request.user).select_related("post")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": notification_text(n)} for n in page]
    return render(request, "approvals/notifications.html", {"page": page, "rows": rows})


@login_required
@require_GET
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(notification_url(notification))


@login_required
@require_POST
def notifications_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("approvals:notifications")


# --- after the fact: what autonomous departments approved ------------------------------------------------


@login_required
@require_GET
def autonomous(request):
    user = request.user
    if not (roles.is_coordinator(user) or roles.is_administrator(user)):
        raise PermissionDenied
    reviews_filter = AutonomousFilter(request.GET, queryset=selectors.autonomous_approvals())
    page = Paginator(reviews_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/autonomous.html",
        {
            "filter": reviews_filter,
            "page": page,
            "query": _query_without_page(request),
            "autonomous_departments": Department.objects.filter(
                review_mode=Department.ReviewMode.AUTONOMOUS, active=True
            ),
        },
    )


# --- administration: review modes and the audit trail ----------------------------------------------------


def _require_administrator(user) -> None:
    if not roles.is_administrator(user):
        raise PermissionDenied


def _review_modes_page(request, *, bound: ReviewModeForm | None = None, status=200):
    departments = Department.objects.order_by("name")
    rows = []
    for department in departments:
        form = bound if bound is not None and bound.department.pk == department.pk else None
        rows.append({"department": department, "form": form or ReviewModeForm(department=department)})
    return render(request, "approvals/review_modes.html", {"rows": rows}, status=status)


@login_required
@require_GET
def review_modes(request):
    _require_administrator(request.user)
    return _review_modes_page(request)


@login_required
@require_POST
def review_mode_set(request, pk):
    _require_administrator(request.user)
    department = get_object_or_404(Department, pk=pk)  # administrators see every department
    form = ReviewModeForm(request.POST, department=department)
    if form.is_valid():
        mode = form.cleaned_data["review_mode"]
        if mode == department.review_mode:
            messages.info(
                request, _("%(department)s already has this review mode.") % {"department": department}
            )
            return redirect("approvals:review_modes")
        department_set_review_mode(
            actor=request.user, department=department, review_mode=mode, comment=form.cleaned_data["comment"]
        )
        department.refresh_from_db()
        messages.success(
            request,
            _("%(department)s: review mode is now “%(mode)s”.")
            % {"department": department, "mode": department.get_review_mode_display()},
        )
        return redirect("approvals:review_modes")
    return _review_modes_page(request, bound=form, status=400)


def _audit_page(request, *, form: AuditExportForm, verification=None, status=200):
    return render(
        request,
        "approvals/audit.html",
        {"form": form, "verification": verification},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit(request):
    """The administration's audit page: the CSV export (GET) and a check of the hash chain (POST)."""
    _require_administrator(request.user)
    verification = None
    if request.method == "POST":
        problems = list(audit_verify_chain())
        verification = {"problems": problems, "ok": not problems}
    return _audit_page(request, form=AuditExportForm(), verification=verification)


@login_required
@require_GET
def audit_export(request):
    _require_administrator(request.user)
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        return _audit_page(request, form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    events = audit_export_service.audit_export(actor=request.user, start=start, end=end)
    response = StreamingHttpResponse(
        audit_export_service.audit_csv_rows(events), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
    return response
