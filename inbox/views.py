"""The inbox page (/inbox/), the conversation page and its actions, the demo citizen's comment page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.selectors import events_for
from channels.models import SandboxPost
from channels.selectors import live_channels
from departments import roles
from departments.selectors import departments_for_user
from etiquette import incoming
from etiquette.engine import current_ruleset
from etiquette.models import NetiquetteClause
from etiquette.selectors import current_netiquette
from posts.selectors import visible_posts

from . import clock, escalation, fetching, moderation, replying, selectors, services, tasks
from .forms import (
    AssignForm,
    CitizenCommentForm,
    CloseForm,
    EscalationForm,
    FilterForm,
    ModerationForm,
    ReplyDecisionForm,
    ReplyForm,
    SavedReplyForm,
    SavedReplySearchForm,
)
from .models import ChannelInbox, InboxItem, Reply

PAGE_SIZE = 25


def _require_inbox_user(user) -> None:
    if not selectors.may_use_inbox(user):
        raise Http404


@login_required
def inbox(request):
    user = request.user
    _require_inbox_user(user)
    show_all = selectors.sees_all(user)
    departments = list(departments_for_user(user, "view").order_by("name"))
    channels = list(live_channels().order_by("name"))
    form = FilterForm(request.GET or None, channels=channels, departments=departments, show_triage=show_all)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        department = data.get("department") or ""
        filters = {
            "channel": data.get("channel"),
            "kind": data.get("kind") or "",
            "state": data.get("state") or "",
            "department": int(department) if department.isdigit() else None,
            "triage": department == "triage",
            "overdue": bool(data.get("overdue")),
        }
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    # No COUNT(*) over every item: one row more than the page tells whether there is a next one.
    rows = list(selectors.overview(user, **filters)[start : start + PAGE_SIZE + 1])
    items = rows[:PAGE_SIZE]
    now = timezone.now()
    data = current_ruleset().data  # one token read for the page, then pure marking per item
    for item in items:
        item.urgency = selectors.urgency(item, now)
        item.marks = _mark_labels(incoming.mark(item.text, data))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inbox/list.html",
        {
            "items": items,
            "form": form,
            "page_number": number,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": number > 1,
            "query": query.urlencode(),
            "show_all": show_all,
            "demo_citizen": settings.INBOX_DEMO_CITIZEN,
            "channel_states": _channel_states(now) if show_all else [],
            "triage_count": selectors.capped_count(
                InboxItem.objects.filter(department__isnull=True, is_open=True)
            )
            if show_all
            else "0",
        },
    )


def _channel_states(now):
    """For the cross-department roles: channels whose reading has a problem, and X's read budget."""
    states = []
    for state in ChannelInbox.objects.select_related("channel").filter(
        Q(reading_enabled=True, monthly_read_budget__isnull=False) | ~Q(last_error="")
    ):
        used, budget = fetching.budget_status(state, now)
        states.append({"channel": state.channel, "used": used, "budget": budget, "error": state.last_error})
    return states


MARK_LABELS = {
    incoming.INSULT: gettext_lazy("possibly insulting"),
    incoming.PERSONAL_DATA: gettext_lazy("personal data"),
    incoming.LINK_SPAM: gettext_lazy("link spam?"),
}


def _mark_labels(findings) -> list[str]:
    """The incoming checks' marks of an item, one label per kind (nothing is hidden automatically)."""
    return [str(MARK_LABELS[rule]) for rule in MARK_LABELS if any(f.rule == rule for f in findings)]


def _history(item: InboxItem):
    return events_for(item)


def _detail_context(request, item: InboxItem, *, close_form=None, assign_form=None) -> dict:
    user = request.user
    now = timezone.now()
    item.urgency = selectors.urgency(item, now)
    thread = list(selectors.thread(item))
    post = None
    post_visible = False
    if item.post_id:
        post = item.post
        post_visible = visible_posts(user).filter(pk=post.pk).exists()
    holiday = ""
    if item.clock_starts_at and item.clock_starts_at > item.received_at:
        holiday = clock.holiday_name(timezone.localtime(item.received_at).date())
    return {
        "item": item,
        "thread": thread,
        "post": post,
        "post_visible": post_visible,
        "history": _history(item),
        "holiday": holiday,
        "clock_waits": bool(item.clock_starts_at and item.clock_starts_at > item.received_at),
        "can_work": selectors.sees_all(user) or item.department_id is not None,
        "can_assign": selectors.may_assign(user),
        "close_form": close_form or CloseForm(),
        "assign_form": assign_form or AssignForm(initial={"department": item.suggested_department_id}),
        **_reply_context(request, item),
        **_moderation_context(request, item),
        "marks": incoming.check_incoming(item.text),
        **_escalation_context(request, item),
    }


@login_required
def item_detail(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    services.item_mark_read(user=request.user, item=item)
    return render(request, "inbox/item.html", _detail_context(request, item))


def _conflict_or_denied(request, exc) -> None:
    if isinstance(exc, PermissionDenied):
        raise exc
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def item_take_over(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    try:
        services.item_take_over(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        _conflict_or_denied(request, exc)
    else:
        messages.success(request, _("You have taken the item over."))
    return redirect("inbox:item", pk=item.pk)


@login_required
@require_POST
def item_close(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.item_close(
                actor=request.user,
                item=item,
                resolution=form.cleaned_data["resolution"],
                reason=form.cleaned_data["reason"],
            )
        except services.StateConflict as exc:
            _conflict_or_denied(request, exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The item is closed."))
            return redirect("inbox:item", pk=item.pk)
        if not form.errors:
            return redirect("inbox:item", pk=item.pk)
    return render(request, "inbox/item.html", _detail_context(request, item, close_form=form), status=422)


@login_required
@require_POST
def item_assign(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    if not selectors.may_assign(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.item_assign(
                actor=request.user,
                item=item,
                department=form.cleaned_data["department"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Assigned to %(department)s.") % {"department": form.cleaned_data["department"].name},
            )
            return redirect("inbox:item", pk=item.pk)
    return render(request, "inbox/item.html", _detail_context(request, item, assign_form=form), status=422)


@login_required
def demo_comment(request):
    """Demo only: write a comment as a citizen under a sandbox post; it arrives through the sandbox
    adapter's fetch (queued right away, and beat's fetch would find it too)."""
    if not settings.INBOX_DEMO_CITIZEN:
        raise Http404
    _require_inbox_user(request.user)
    channels = [c for c in live_channels() if c.kind == "sandbox"]
    posts = list(
        SandboxPost.objects.filter(channel__in=channels, deleted_at__isnull=True)
        .select_related("channel")
        .order_by("-published_at")[:30]
    )
    form = CitizenCommentForm(request.POST or None, posts=posts)
    if request.method == "POST" and form.is_valid():
        post = next(p for p in posts if p.pk == form.cleaned_data["post"])
        try:
            services.sandbox_comment_create(
                actor=request.user,
                channel=post.channel,
                sandbox_post_id=post.pk,
                author_handle=form.cleaned_data["author_handle"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            channel_id = post.channel_id
            transaction.on_commit(lambda: _fetch_now(channel_id))
            messages.success(
                request, _("The comment is on the sandbox feed; the inbox fetches it in a moment.")
            )
            return redirect(reverse("inbox:demo_comment"))
    return render(
        request, "inbox/demo_comment.html", {"form": form, "posts": posts}, status=422 if form.errors else 200
    )


def _fetch_now(channel_id: int) -> None:
    try:
        tasks.fetch.apply_async(args=[channel_id], retry_policy={"max_retries": 1})
    except Exception:  # no broker: fetch in the request (the demo's embedded mode still shows it)
        fetching.fetch_channel(channel_id)


# --- Textbausteine (saved replies) -------------------------------------------------------------------


@login_required
def reply_queue(request):
    """Replies waiting for the user's approval (four eyes: never one's own), longest waiting first, and
    the replies that failed or whose outcome is unknown. Each leads to its conversation, where the
    approver reads what the citizen wrote before deciding."""
    user = request.user
    if not selectors.may_approve_replies(user) and not roles.is_administrator(user):
        raise Http404
    related = ("item__channel", "item__department", "author")
    queue = selectors.replies_waiting_for(user)
    waiting = list(queue.select_related(*related)[:200])
    problems = list(selectors.replies_with_problems(user).select_related(*related)[:100])
    now = timezone.now()
    for reply in waiting + problems:
        reply.item.urgency = selectors.urgency(reply.item, now)
        reply.warning_count = sum(1 for f in reply.findings if f.get("severity") == "warn")
    return render(
        request,
        "inbox/reply_queue.html",
        {
            "waiting": waiting,
            "waiting_total": len(waiting) if len(waiting) < 200 else queue.count(),
            "problems": problems,
            "may_retry": roles.is_coordinator(user) or roles.is_administrator(user),
        },
    )


@login_required
def saved_replies(request):
    """The Textbausteine: everyone of the inbox searches and reads them; Koordination and
    Administration write them."""
    _require_inbox_user(request.user)
    form = SavedReplySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    editor = selectors.may_edit_saved_replies(request.user)
    replies = selectors.saved_replies_for(request.user, query=query, include_inactive=editor)
    return render(
        request,
        "inbox/saved_replies.html",
        {"form": form, "replies": replies[:200], "query": query, "may_edit": editor},
    )


@login_required
def saved_reply_search(request):
    """The reply box's search (htmx): at most ten Textbausteine for the item's department, as an HTML
    fragment – or JSON with ``Accept: application/json``."""
    _require_inbox_user(request.user)
    form = SavedReplySearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    department = None
    if form.cleaned_data.get("item"):
        department = selectors.get_item_for_user(request.user, form.cleaned_data["item"]).department
    replies = list(
        selectors.saved_replies_for(request.user, department=department, query=form.cleaned_data["q"])[
            : selectors.SAVED_REPLY_RESULTS
        ]
    )
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "results": [
                    {
                        "id": reply.pk,
                        "title": reply.title,
                        "text": reply.text,
                        "department": reply.department.name if reply.department else None,
                    }
                    for reply in replies
                ]
            }
        )
    return render(
        request, "inbox/_saved_reply_results.html", {"replies": replies, "query": form.cleaned_data["q"]}
    )


def _saved_reply_form_page(request, reply=None):
    if not selectors.may_edit_saved_replies(request.user):
        raise PermissionDenied
    initial = (
        {f: getattr(reply, f) for f in ("title", "text", "department", "keywords", "active")}
        if reply
        else {"active": True}
    )
    form = SavedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if reply is None:
                reply = services.saved_reply_create(
                    actor=request.user,
                    title=data["title"],
                    text=data["text"],
                    department=data["department"],
                    keywords=data["keywords"],
                )
                if not data["active"]:
                    services.saved_reply_update(actor=request.user, reply=reply, active=False)
            else:
                services.saved_reply_update(actor=request.user, reply=reply, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The saved reply “%(title)s” is stored.") % {"title": data["title"]})
            return redirect("inbox:saved_replies")
    return render(request, "inbox/saved_reply_form.html", {"form": form, "reply": reply})


@login_required
def saved_reply_create(request):
    return _saved_reply_form_page(request)


@login_required
def saved_reply_edit(request, pk: int):
    return _saved_reply_form_page(request, selectors.get_saved_reply_for_editor(request.user, pk))


# --- Replies ----------------------------------------------------------------------------------------


def _reply_context(request, item: InboxItem, reply_form=None, findings=None) -> dict:
    user = request.user
    replies = list(item.replies.select_related("author", "decided_by").order_by("created_at", "pk"))
    # Read once for the page, not per reply: pending replies are decided only on an open item that is
    # not with the Pressestelle.
    decidable = item.is_open and not escalation.is_locked_for(user, item)
    for reply in replies:
        reply.may_decide = (
            reply.status == Reply.Status.PENDING and decidable and replying.may_approve(user, reply)
        )
        reply.may_retry = reply.status in (
            Reply.Status.FAILED,
            Reply.Status.UNCERTAIN,
        ) and selectors.may_assign(user)
    allowed = replying.interactions_for(item)
    is_dm = item.kind == InboxItem.Kind.DIRECT
    # A direct answer that needs the author's account id, on an item read before ids were stored: not
    # offered at all (the submission would be refused); the page says why.
    no_account_id = not item.author_network_id and allowed.needs_author_id("reply_direct", is_dm)
    may_reply = replying.may_reply(user, item)
    return {
        "replies": replies,
        "may_reply": may_reply and (allowed.reply or allowed.reply_direct) and not (is_dm and no_account_id),
        "direct_unavailable": may_reply and allowed.reply_direct and no_account_id,
        "reply_form": reply_form or ReplyForm(),
        "reply_findings": findings,
        "offer_direct": allowed.reply_direct and not is_dm and not no_account_id,
        "needs_approval": replying.replies_need_approval(item.department) and not roles.is_press_office(user),
        "decision_form": ReplyDecisionForm(),
    }


@login_required
@require_POST
def item_reply(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    form = ReplyForm(request.POST)
    findings = None
    if form.is_valid():
        text, direct = form.cleaned_data["text"], form.cleaned_data["direct"]
        try:
            reply = replying.reply_submit(actor=request.user, item=item, text=text, direct=direct)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            findings = replying.reply_check(item=item, text=text, direct=direct)
        else:
            if reply.status == Reply.Status.PENDING:
                messages.success(request, _("Your reply waits for approval."))
            else:
                messages.success(request, _("Your reply is being sent."))
            return redirect("inbox:item", pk=item.pk)
    context = _detail_context(request, item) | _reply_context(
        request, item, reply_form=form, findings=findings
    )
    if not context["may_reply"]:
        # No reply box to show the errors next to (a submission from an older page): say it on top.
        for error in [e for errors in form.errors.values() for e in errors]:
            messages.error(request, error)
    return render(request, "inbox/item.html", context, status=422)


@login_required
@require_POST
def item_reply_check(request, pk: int):
    """The reply box's live check (htmx): the findings fragment of the etiquette."""
    item = selectors.get_item_for_user(request.user, pk)
    text = (request.POST.get("text") or "")[:5000]
    direct = request.POST.get("direct") in ("on", "true", "1")
    findings = replying.reply_check(item=item, text=text, direct=direct) if text.strip() else []
    return render(request, "etiquette/_findings.html", {"findings": findings, "text": text})


def _reply_for(request, pk: int) -> Reply:
    reply = Reply.objects.select_related("item").filter(pk=pk).first()
    if reply is None:
        raise Http404
    selectors.get_item_for_user(request.user, reply.item_id)  # 404 for outsiders
    return reply


@login_required
@require_POST
def reply_approve(request, pk: int):
    reply = _reply_for(request, pk)
    try:
        replying.reply_approve(actor=request.user, reply=reply)
    except ValidationError as exc:
        _conflict_or_denied(request, exc)
    else:
        messages.success(request, _("The reply is approved and is being sent."))
    return redirect("inbox:item", pk=reply.item_id)


@login_required
@require_POST
def reply_reject(request, pk: int):
    reply = _reply_for(request, pk)
    form = ReplyDecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        replying.reply_reject(actor=request.user, reply=reply, comment=comment)
    except ValidationError as exc:
        _conflict_or_denied(request, exc)
    else:
        messages.success(request, _("The reply was rejected; the author is told why."))
    return redirect("inbox:item", pk=reply.item_id)


@login_required
@require_POST
def reply_retry(request, pk: int):
    reply = _reply_for(request, pk)
    try:
        replying.reply_retry(actor=request.user, reply=reply)
    except ValidationError as exc:
        _conflict_or_denied(request, exc)
    else:
        messages.success(request, _("The reply is being sent again."))
    return redirect("inbox:item", pk=reply.item_id)


# --- Moderation ------------------------------------------------------------------------------------


def _moderation_context(request, item: InboxItem, form=None) -> dict:
    actions = moderation.allowed_actions(request.user, item)
    interactions = replying.interactions_for(item)
    netiquette_clauses = NetiquetteClause.objects.filter(
        version__in=[v.pk for v in [current_netiquette()] if v]
    ).order_by("number")
    return {
        "moderation_actions": actions,
        "moderation_form": form or ModerationForm(actions=actions, clauses=netiquette_clauses),
        "moderation_state": moderation.state(item),
        "moderation_history": list(item.moderation.select_related("clause", "actor").order_by("created_at")),
        "interactions": interactions,
        "report_unavailable": "report" in interactions.moderation
        and not item.author_network_id
        and interactions.needs_author_id("report"),
    }


@login_required
@require_POST
def item_moderate(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    actions = moderation.allowed_actions(request.user, item)
    if not actions and not (
        moderation.may_moderate(request.user, item) and replying.interactions_for(item).moderation
    ):
        raise PermissionDenied
    # (Nothing allowed although the network moderates – a report without the author's account id –
    # answers 422 with the page saying why.)
    clauses = NetiquetteClause.objects.filter(
        version__in=[v.pk for v in [current_netiquette()] if v]
    ).order_by("number")
    form = ModerationForm(request.POST, actions=actions, clauses=clauses)
    if form.is_valid():
        try:
            moderation.item_moderate(
                actor=request.user,
                item=item,
                action=form.cleaned_data["action"],
                clause=form.cleaned_data["clause"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Done – the action is in the history with its rule and reason."))
            return redirect("inbox:item", pk=item.pk)
    context = _detail_context(request, item) | _moderation_context(request, item, form)
    if not actions:  # no form to show the error next to (reporting without the account id)
        messages.error(
            request, _("This action is not possible for this item; the moderation section says why.")
        )
    return render(request, "inbox/item.html", context, status=422)


# --- Escalation to the Pressestelle -----------------------------------------------------------------


def _escalation_context(request, item: InboxItem, form=None) -> dict:
    user = request.user
    current = escalation.open_escalation(item)
    return {
        "escalation": current,
        "locked": escalation.is_locked_for(user, item),
        "may_escalate": current is None
        and item.is_open
        and not roles.is_press_office(user)
        and (selectors.sees_all(user) or item.department_id is not None),
        "may_hand_back": current is not None and roles.is_press_office(user),
        "escalation_form": form or EscalationForm(),
        "escalation_history": list(item.escalations.select_related("created_by", "closed_by")),
    }


def _escalation_post(request, pk: int, service, done: str):
    """Passing an item to the Pressestelle and handing it back: a note, the service, the page again."""
    item = selectors.get_item_for_user(request.user, pk)
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, item=item, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, done)
            return redirect("inbox:item", pk=item.pk)
    context = _detail_context(request, item) | _escalation_context(request, item, form)
    return render(request, "inbox/item.html", context, status=422)


@login_required
@require_POST
def item_escalate(request, pk: int):
    return _escalation_post(
        request, pk, escalation.item_escalate, _("The item is with the press office now.")
    )


@login_required
@require_POST
def item_hand_back(request, pk: int):
    return _escalation_post(
        request, pk, escalation.escalation_hand_back, _("The item is back with the department.")
    )
