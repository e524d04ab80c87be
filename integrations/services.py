"""Every write of the integrations app: integrations, tokens and the posts an integration makes.

Functions are ``<entity>_<verb>``, keyword-only with ``actor`` first, transactional, and write their
audit event in the same transaction. The API's write services (``api_post_*``) act as the
integration's service user through the posts, approvals and publishing services and add one event
``api.<action>`` that names the integration, the token and the person who created it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from limits import parse as parse_rate_limit

from approvals.models import Review
from approvals.selectors import open_review_of, open_step_of
from approvals.services import InvalidReviewState, review_withdraw, step_approve
from audit.services import audit_batch, audit_record
from channels.models import Channel
from departments import roles
from departments.models import Department, Membership
from departments.services import membership_add
from etiquette.selectors import current_guide, has_acknowledged_current_guide
from etiquette.services import guide_acknowledge
from posts import services as post_services
from posts.media import ProcessedMedia
from posts.models import Post
from publishing.delivery_services import deliveries_withdraw_for_post

from . import templating, tokens
from .events import registry as event_registry
from .feeds import FeedError, FeedMessage
from .feeds import registry as feed_registry
from .models import (
    FeedItem,
    FeedSource,
    Integration,
    IntegrationToken,
    PostOrigin,
    PostTemplate,
    TokenRight,
    WebhookSubscription,
)
from .ssrf import check_url

# How often "last used" is written at most (one UPDATE per token and minute, not per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(PermissionDenied):
    """The token lacks the right or the scope for this request."""


def _require_administrator(actor) -> None:
    if actor is None or not (roles.is_administrator(actor) or actor.is_superuser):
        raise PermissionDenied(_("Only Administration may manage integrations and their tokens."))


# --- integrations and tokens -----------------------------------------------------------------------------


@transaction.atomic
def integration_create(
    *,
    actor,
    name: str,
    responsible,
    departments: Iterable[Department],
    slug: str = "",
    description: str = "",
) -> Integration:
    """A new integration with its service user, a member (Redaktion) of each of its departments."""
    _require_administrator(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Please name the integration.")})
    slug = slugify(slug or name)[:40]
    if not slug:
        raise ValidationError({"slug": _("Please give a short name of letters and digits.")})
    if Integration.objects.filter(slug=slug).exists() or Integration.objects.filter(name=name).exists():
        raise ValidationError({"name": _("An integration with this name exists already.")})
    departments = list(departments)
    if not departments:
        raise ValidationError({"departments": _("Choose at least one department.")})
    user = get_user_model().objects.create_user(
        username=f"integration-{slug}", first_name=name[:150], email=""
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    integration = Integration.objects.create(
        name=name,
        slug=slug,
        description=description,
        service_user=user,
        responsible=responsible,
        created_by=actor,
    )
    integration.departments.set(departments)
    for department in departments:
        membership_add(actor=actor, user=user, department=department, role=Membership.Role.EDITOR)
    audit_record(
        actor=actor,
        verb="integration.created",
        obj=integration,
        after={
            "name": name,
            "service_user": user.get_username(),
            "responsible": responsible.get_username(),
            "departments": [d.code for d in departments],
        },
    )
    return integration


@transaction.atomic
def integration_set_active(*, actor, integration: Integration, active: bool) -> Integration:
    _require_administrator(actor)
    if integration.active != active:
        integration.active = active
        integration.save(update_fields=["active"])
        audit_record(
            actor=actor,
            verb="integration.activated" if active else "integration.deactivated",
            obj=integration,
        )
    return integration


@transaction.atomic
def integration_update(*, actor, integration: Integration, responsible, description: str) -> Integration:
    _require_administrator(actor)
    before = {"responsible": integration.responsible.get_username(), "description": integration.description}
    integration.responsible = responsible
    integration.description = description
    integration.save(update_fields=["responsible", "description"])
    audit_record(
        actor=actor,
        verb="integration.changed",
        obj=integration,
        before=before,
        after={"responsible": responsible.get_username(), "description": description},
    )
    return integration


def _validate_rate_limit(value: str) -> str:
    try:
        parse_rate_limit(value)
    except ValueError:
        raise ValidationError(
            {"rate_limit": _("Write the limit as number/unit, e.g. 120/minute or 5000/day.")}
        ) from None
    return value


@transaction.atomic
def token_create(
    *,
    actor,
    integration: Integration,
    label: str,
    rights: Iterable[str],
    departments: Iterable[Department],
    channels: Iterable[Channel] = (),
    expires_at: datetime | None = None,
    rate_limit: str = "120/minute",
) -> tuple[IntegrationToken, str]:
    """A new token; returns the row and the secret token, which is shown once and never stored."""
    _require_administrator(actor)
    label = label.strip()
    errors = {}
    if not label:
        errors["label"] = _("Please give the token a label.")
    rights = sorted(set(rights))
    unknown = [r for r in rights if r not in TokenRight.values]
    if unknown or not rights:
        errors["rights"] = _("Choose at least one of: %(rights)s.") % {"rights": ", ".join(TokenRight.values)}
    departments = list(departments)
    allowed = set(integration.departments.values_list("pk", flat=True))
    if not departments:
        errors["departments"] = _("Choose at least one department.")
    elif any(d.pk not in allowed for d in departments):
        errors["departments"] = _("A token may only be scoped to departments of its integration.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    try:
        _validate_rate_limit(rate_limit)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    secret, lookup, digest = tokens.generate()
    token = IntegrationToken.objects.create(
        integration=integration,
        label=label,
        lookup=lookup,
        secret_hash=digest,
        rights=rights,
        rate_limit=rate_limit,
        expires_at=expires_at,
        created_by=actor,
    )
    token.departments.set(departments)
    token.channels.set(list(channels))
    audit_record(
        actor=actor,
        verb="integration_token.created",
        obj=token,
        after={
            "integration": integration.name,
            "lookup": lookup,
            "rights": rights,
            "departments": [d.code for d in departments],
            "channels": [c.name for c in token.channels.all()],
            "expires_at": expires_at,
            "rate_limit": rate_limit,
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: IntegrationToken) -> IntegrationToken:
    _require_administrator(actor)
    token = IntegrationToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            verb="integration_token.revoked",
            obj=token,
            after={"integration": token.integration.name, "lookup": token.lookup},
        )
    return token


def token_mark_used(*, token: IntegrationToken, now: datetime | None = None) -> None:
    """Record the last use (not audited: it is not a decision). At most one write per minute."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- the API's writes --------------------------------------------------------------------------------------


def require_right(token: IntegrationToken, right: str) -> None:
    if not token.has_right(right):
        raise TokenRefused(_("This token lacks the right “%(right)s”.") % {"right": TokenRight(right).label})


def _check_scope(token: IntegrationToken, department: Department, channels: Iterable[Channel]) -> None:
    if not token.departments.filter(pk=department.pk).exists():
        raise TokenRefused(
            _("This token may not write for the department %(department)s.") % {"department": department.name}
        )
    scoped = set(token.channels.values_list("pk", flat=True))
    if scoped:
        outside = [c.name for c in channels if c.pk not in scoped]
        if outside:
            raise ValidationError(
                {
                    "channels": _("This token may not publish on: %(channels)s.")
                    % {"channels": ", ".join(outside)}
                },
                code="channel_not_allowed",
            )


def _audit_api(
    *,
    token: IntegrationToken | None,
    action: str,
    post: Post,
    integration: Integration | None = None,
    **after,
) -> None:
    integration = integration or token.integration
    audit_record(
        actor=integration.service_user,
        verb=f"api.{action}",
        obj=post,
        post_id=post.pk,
        after={
            "integration": integration.name,
            "token": token.lookup if token else None,
            "token_created_by": token.created_by.get_username() if token else None,
            "responsible": integration.responsible.get_username(),
            **{k: v for k, v in after.items() if v is not None},
        },
    )


def _ensure_guide_acknowledged(integration: Integration) -> None:
    """Submitting needs the current etiquette guide confirmed. A service user cannot read: it confirms
    the guide in the name of its responsible person, and only if that person confirmed it."""
    user = integration.service_user
    if has_acknowledged_current_guide(user):
        return
    guide = current_guide()
    if guide is None or not has_acknowledged_current_guide(integration.responsible):
        raise post_services.SubmissionBlocked(
            _(
                "The person responsible for this integration (%(person)s) has not confirmed the current "
                "etiquette guide; posts cannot be submitted until they do."
            )
            % {"person": integration.responsible.get_username()}
        )
    guide_acknowledge(actor=user, version=guide)


def _integration_post_create(
    *,
    integration: Integration,
    token: IntegrationToken | None,
    department: Department,
    title: str,
    text: str,
    link: str,
    channels: list[Channel],
    variants: dict[int, str] | None,
    planned_at: datetime | None,
    press_relevant: bool,
    media_new,
    submit: bool,
    template: PostTemplate | None = None,
    **audit_extra,
) -> tuple[Post, list]:
    actor = integration.service_user
    post = post_services.post_create(
        actor=actor,
        department=department,
        title=title,
        text=text,
        link=link,
        channels=channels,
        variants=variants,
        planned_at=planned_at,
        press_relevant=press_relevant,
        media_new=media_new,
        responsible=integration.responsible,
    )
    PostOrigin.objects.create(
        post=post,
        integration=integration,
        token=token,
        responsible=integration.responsible,
        token_created_by=token.created_by if token else None,
        template=template,
    )
    _audit_api(
        integration=integration,
        token=token,
        action="post_created",
        post=post,
        submit=submit,
        template=template.name if template else None,
        **audit_extra,
    )
    findings = []
    if submit:
        _ensure_guide_acknowledged(integration)
        findings = post_services.post_submit(actor=actor, post=post)
        _audit_api(integration=integration, token=token, action="post_submitted", post=post)
        if template is not None and template.auto_approve:
            _auto_approve(template=template, post=post)
        post.refresh_from_db()  # the transitions worked on their own (locked) copy
    return post, findings


@transaction.atomic
def api_post_create(
    *,
    actor,
    token: IntegrationToken,
    department: Department,
    title: str,
    text: str = "",
    link: str = "",
    channels: Iterable[Channel] = (),
    variants: dict[int, str] | None = None,
    planned_at: datetime | None = None,
    press_relevant: bool = False,
    media_new: Iterable[tuple[ProcessedMedia, dict]] = (),
    submit: bool = False,
) -> tuple[Post, list]:
    """A post by the token's integration (as draft, or submitted for review in the same transaction:
    a refused submission creates nothing). Returns the post and the etiquette findings of the
    submission (empty for a draft)."""
    integration = token.integration
    if actor != integration.service_user:
        raise PermissionDenied
    require_right(token, TokenRight.DRAFT)
    if submit:
        require_right(token, TokenRight.SUBMIT)
    channels = list(channels)
    _check_scope(token, department, channels)
    # The posts service's event and ours are appended together (the chain head is locked once).
    with audit_batch():
        return _integration_post_create(
            integration=integration,
            token=token,
            department=department,
            title=title,
            text=text,
            link=link,
            channels=channels,
            variants=variants,
            planned_at=planned_at,
            press_relevant=press_relevant,
            media_new=media_new,
            submit=submit,
        )


@transaction.atomic
def api_post_submit(*, actor, token: IntegrationToken, post: Post) -> list:
    """Submit a draft of the token's departments for review."""
    require_right(token, TokenRight.SUBMIT)
    _check_scope(token, post.department, list(post.channels.all()))
    _ensure_guide_acknowledged(token.integration)
    findings = post_services.post_submit(actor=actor, post=post)
    _audit_api(token=token, action="post_submitted", post=post)
    return findings


@transaction.atomic
def api_post_withdraw(*, actor, token: IntegrationToken, post: Post, reason: str) -> Post:
    """Take a post of this integration back from every channel (publishing's withdrawal).

    Publishing lets only Koordination withdraw; a token with the right ``withdraw`` may withdraw the
    posts its own integration created – that check is made here, so publishing is told the caller
    authorised it."""
    require_right(token, TokenRight.WITHDRAW)
    if not PostOrigin.objects.filter(post=post, integration=token.integration).exists():
        raise TokenRefused(_("An integration may only withdraw the posts it created."))
    deliveries_withdraw_for_post(actor=actor, post=post, reason=reason, authorised=True)
    _audit_api(token=token, action="post_withdrawn", post=post, reason=reason)
    post.refresh_from_db()
    return post


# --- webhook subscriptions ---------------------------------------------------------------------------------


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


@transaction.atomic
def webhook_subscription_create(
    *, actor, integration: Integration, url: str, events: Iterable[str]
) -> WebhookSubscription:
    _require_administrator(actor)
    events = sorted(set(events))
    unknown = [e for e in events if e not in event_registry]
    errors = {}
    if unknown or not events:
        errors["events"] = _("Choose at least one known event.")
    try:
        check_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    if errors:
        raise ValidationError(errors)
    subscription = WebhookSubscription.objects.create(
        integration=integration, url=url, events=events, secret=new_webhook_secret(), created_by=actor
    )
    audit_record(
        actor=actor,
        verb="webhook.subscribed",
        obj=subscription,
        after={"integration": integration.name, "url": url, "events": events},
    )
    return subscription


@transaction.atomic
def webhook_subscription_set_active(*, actor, subscription: WebhookSubscription, active: bool):
    _require_administrator(actor)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.active != active:
        subscription.active = active
        fields = ["active"]
        if active:
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.disabled_reason = ""
            fields += ["consecutive_failures", "disabled_at", "disabled_reason"]
        subscription.save(update_fields=fields)
        audit_record(
            actor=actor,
            verb="webhook.enabled" if active else "webhook.disabled",
            obj=subscription,
            after={"url": subscription.url},
        )
    return subscription


# --- templates (Vorlagen) -------------------------------------------------------------------------------


def template_render(*, template: PostTemplate, data: dict) -> dict:
    """Title, text and link of ``template`` filled with ``data``; ``ValidationError`` per field when a
    required field is missing or the template cannot be filled."""
    errors = {}
    if not isinstance(data, dict):
        raise ValidationError({"data": _("The data must be an object of field names and values.")})
    for name in template.required_fields():
        if data.get(name) in (None, ""):
            errors[f"data.{name}"] = _("This field is required by the template.")
    if errors:
        raise ValidationError(errors)
    # Optional fields that were not sent are empty (``{% if neu %}`` works); unknown names stay errors.
    data = {**{f["name"]: None for f in template.fields if isinstance(f, dict) and "name" in f}, **data}
    rendered = {}
    for field in ("title", "text", "link"):
        try:
            rendered[field] = templating.render(getattr(template, field), data)
        except templating.TemplateProblem as problem:
            errors[field] = str(problem)
    if errors:
        raise ValidationError(errors)
    if template.attribution:
        rendered["text"] = f"{rendered['text']}\n\n{template.attribution}".strip()
    rendered["title"] = rendered["title"][:200] or template.name
    return rendered


@transaction.atomic
def template_set_auto_approve(*, actor, template: PostTemplate, enabled: bool) -> PostTemplate:
    """Koordination switches "automatisch freigeben" on or off; who and when is kept and audited."""
    if actor is None or not roles.is_coordinator(actor):
        raise PermissionDenied(
            _("Only the coordination may let a template's posts be approved automatically.")
        )
    template = PostTemplate.objects.select_for_update().get(pk=template.pk)
    if template.auto_approve == enabled:
        return template
    before = {"auto_approve": template.auto_approve}
    template.auto_approve = enabled
    template.auto_approve_enabled_by = actor if enabled else None
    template.auto_approve_enabled_at = timezone.now() if enabled else None
    template.save(update_fields=["auto_approve", "auto_approve_enabled_by", "auto_approve_enabled_at"])
    audit_record(
        actor=actor,
        verb="template.auto_approve_enabled" if enabled else "template.auto_approve_disabled",
        obj=template,
        before=before,
        after={"auto_approve": enabled, "template": template.name},
    )
    return template


def _auto_approve(*, template: PostTemplate, post: Post) -> bool:
    """Approve the post's open step in the name of the rule: as the Koordination member who enabled it,
    with a comment naming the rule, who enabled it and when. Only where that person could approve it by
    hand (the coordination step; no warning that needs a reason); otherwise the post stays in the queue
    and the audit trail says why."""
    enabled_by = template.auto_approve_enabled_by
    enabled_at = timezone.localtime(template.auto_approve_enabled_at)
    comment = _(
        "Approved automatically by the rule of the template “%(template)s”, enabled by %(person)s on %(when)s."
    ) % {
        "template": template.name,
        "person": enabled_by.get_username(),
        "when": enabled_at.strftime("%d.%m.%Y %H:%M"),
    }
    review = open_review_of(post)
    step = open_step_of(review)
    try:
        with transaction.atomic():
            # The rule's approval: the person who enabled it may also answer for the integration (the rule
            # is the county's documented decision); four eyes still refuses the author and submitter.
            step_approve(
                actor=enabled_by,
                step=step,
                revision=review.revision,
                comment=comment,
                standing_rule=template.name,
            )
    except (ValidationError, PermissionDenied) as refusal:
        reason = refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal)
        audit_record(
            actor=None,
            verb="template.auto_approve_skipped",
            obj=template,
            post_id=post.pk,
            after={"template": template.name},
            comment=reason,
        )
        return False
    audit_record(
        actor=enabled_by,
        verb="template.auto_approved",
        obj=template,
        post_id=post.pk,
        after={
            "template": template.name,
            "enabled_by": enabled_by.get_username(),
            "enabled_at": template.auto_approve_enabled_at,
        },
        comment=comment,
    )
    return True


@transaction.atomic
def template_post_create(
    *,
    integration: Integration,
    template: PostTemplate,
    data: dict,
    token: IntegrationToken | None = None,
    planned_at: datetime | None = None,
    submit: bool = True,
    **audit_extra,
) -> tuple[Post, list]:
    """A post of ``integration`` from ``template`` filled with ``data`` (feeds and the API). Checked by
    the etiquette on submission like any other post; auto-approved when the template says so."""
    if not template.active:
        raise ValidationError({"template": _("This template is switched off.")})
    if token is not None:
        require_right(token, TokenRight.DRAFT)
        if submit:
            require_right(token, TokenRight.SUBMIT)
        _check_scope(token, template.department, list(template.channels.all()))
    elif not integration.departments.filter(pk=template.department_id).exists():
        raise PermissionDenied(_("The integration does not write for the template's department."))
    rendered = template_render(template=template, data=data)
    return _integration_post_create(
        integration=integration,
        token=token,
        department=template.department,
        title=rendered["title"],
        text=rendered["text"],
        link=rendered["link"],
        channels=list(template.channels.all()),
        variants=None,
        planned_at=planned_at,
        press_relevant=False,
        media_new=(),
        submit=submit,
        template=template,
        **audit_extra,
    )


def template_problems(*, title: str, text: str, link: str, fields, example_data) -> dict[str, str]:
    """What is wrong with a template's values, by field (empty: nothing)."""
    errors = {}
    for name, source in (("title", title), ("text", text), ("link", link)):
        try:
            templating.check_syntax(source or "")
        except templating.TemplateProblem as problem:
            errors[name] = str(problem)
    if not isinstance(fields, list) or any(
        not isinstance(f, dict) or not str(f.get("name", "")).isidentifier() for f in fields
    ):
        errors["fields"] = _('Write the fields as a list like [{"name": "inzidenz", "required": true}].')
    if not isinstance(example_data, dict):
        errors["example_data"] = _("The example data must be an object of field names and values.")
    return errors


@transaction.atomic
def template_save(
    *, actor, template: PostTemplate, channels: Iterable[Channel] | None = None
) -> PostTemplate:
    """Administration creates or changes a template (the admin form's values, checked here)."""
    _require_administrator(actor)
    errors = template_problems(
        title=template.title,
        text=template.text,
        link=template.link,
        fields=template.fields,
        example_data=template.example_data,
    )
    if errors:
        raise ValidationError(errors)
    created = template.pk is None
    template.save()
    if channels is not None:
        template.channels.set(list(channels))
    audit_record(
        actor=actor,
        verb="template.created" if created else "template.changed",
        obj=template,
        after={"name": template.name, "department": template.department.code},
    )
    return template


# --- data feeds --------------------------------------------------------------------------------------------


def _feed_withdraw_originals(*, source: FeedSource, external_id: str, reason: str) -> list[int]:
    """Withdraw the posts of a cancelled warning: published (or approved) ones from the networks, those
    still in review from the review – a reviewer must not approve a warning that no longer holds.

    Runs first in the cancellation's transaction and locks the open reviews of all these posts before
    anything is written: a reviewer's decision locks its review and then the audit chain's head, so
    taking the chain's head first (by creating the all-clear post) and a review second deadlocked with
    a reviewer approving at that moment – and the outdated warning ended up approved."""
    withdrawn = []
    items = list(
        FeedItem.objects.filter(source=source, external_id=external_id, post__isnull=False)
        .exclude(kind=FeedItem.Kind.CANCEL)
        .select_related("post")
        .order_by("pk")
    )
    list(
        Review.objects.select_for_update()
        .filter(post_id__in=[item.post_id for item in items], status=Review.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    actor = source.integration.service_user
    for item in items:
        post = item.post
        post.refresh_from_db()  # a reviewer may have decided while we waited for the locks
        try:
            if post.status == Post.Status.IN_REVIEW:
                try:
                    with transaction.atomic():
                        review_withdraw(actor=actor, post=post, reason=reason)
                    withdrawn.append(post.pk)
                    continue
                except InvalidReviewState:
                    post.refresh_from_db()  # approved meanwhile: take it back from the networks instead
            with transaction.atomic():
                deliveries_withdraw_for_post(actor=actor, post=post, reason=reason, authorised=True)
            withdrawn.append(post.pk)
        except (ValidationError, PermissionDenied):
            continue  # sent back, rejected or not (yet) publishable: nothing to take back
    return withdrawn


def _open_items(source: FeedSource) -> dict[str, FeedItem]:
    """The latest item of every message that has not been cancelled."""
    latest: dict[str, FeedItem] = {}
    for item in FeedItem.objects.filter(source=source).order_by("created_at", "pk"):
        latest[item.external_id] = item
    return {key: item for key, item in latest.items() if item.kind != FeedItem.Kind.CANCEL}


def feed_import(*, source: FeedSource, session=None, now=None) -> list[FeedItem]:
    """Read ``source`` once and turn what is new into posts (each message in its own transaction).

    Deduplicated by ``(external_id, version)``: a repeated fetch makes nothing. A known id in a new
    version is an update (a follow-up post), a cancellation an all-clear (Entwarnung) post that may
    withdraw the original. Urgent sources plan their posts for now: published as soon as approved and
    first in the approval queue (it sorts by planned time)."""
    now = now or timezone.now()
    reader = feed_registry.reader(source.kind)
    session = session or requests.Session()
    made: list[FeedItem] = []
    try:
        messages = reader.fetch(source, session)
    except FeedError as error:
        FeedSource.objects.filter(pk=source.pk).update(last_run_at=now, last_error=str(error)[:500])
        return made
    open_items = _open_items(source)
    if hasattr(reader, "resolve"):
        messages = reader.resolve(messages, list(open_items), source)
    if reader.CANCEL_ON_DISAPPEARANCE:
        present = {m.external_id for m in messages}
        for external_id, item in open_items.items():
            end = item.data.get("end") or ""
            if external_id not in present and (not end or end > now.isoformat()):
                messages.append(
                    FeedMessage(
                        external_id=external_id,
                        version=f"{item.version}-cancel",
                        kind="cancel",
                        data=item.data,
                    )
                )
    known_ids = set(FeedItem.objects.filter(source=source).values_list("external_id", flat=True).distinct())
    for message in messages:
        if FeedItem.objects.filter(
            source=source, external_id=message.external_id, version=message.version
        ).exists():
            continue
        kind = message.kind
        if kind == "alert" and message.external_id in known_ids:
            kind = "update"
        elif kind == "update" and message.external_id not in known_ids:
            kind = "alert"
        made.append(_feed_message_import(source=source, message=message, kind=kind, now=now, known=known_ids))
        known_ids.add(message.external_id)
    FeedSource.objects.filter(pk=source.pk).update(last_run_at=now, last_error="")
    return made


@transaction.atomic
def _feed_message_import(
    *, source: FeedSource, message: FeedMessage, kind: str, now, known: set[str]
) -> FeedItem:
    template = {
        "alert": source.template,
        "update": source.update_template or source.template,
        "cancel": source.cancel_template,
    }[kind]
    if kind == "cancel" and source.withdraw_on_cancel:
        # First, before the all-clear post is written (lock order: see _feed_withdraw_originals).
        _feed_withdraw_originals(
            source=source, external_id=message.external_id, reason=f"Entwarnung: {source.attribution}"
        )
    post, problem = None, ""
    if kind == "cancel" and message.external_id not in known:
        problem = "all-clear for a warning that was never posted"
    else:
        data = {**message.data, "quelle": source.attribution, "art": kind}
        try:
            with transaction.atomic():
                post, _findings = template_post_create(
                    integration=source.integration,
                    template=template,
                    data=data,
                    planned_at=now if source.urgent else None,
                    submit=True,
                    feed=source.name,
                    feed_id=message.external_id,
                    feed_version=message.version,
                )
        except (ValidationError, PermissionDenied) as refusal:
            messages = refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]
            problem = " ".join(messages)[:500]
    item = FeedItem.objects.create(
        source=source,
        external_id=message.external_id,
        version=message.version,
        kind=kind,
        post=post,
        data=message.data,
        problem=problem,
    )
    audit_record(
        actor=source.integration.service_user,
        verb="feed.item_imported",
        obj=source,
        post_id=post.pk if post else None,
        after={"feed": source.name, "id": message.external_id, "version": message.version, "kind": kind},
        comment=problem,
    )
    return item


@transaction.atomic
def feed_source_save(*, actor, source: FeedSource, changed: Iterable[str] = ()) -> FeedSource:
    """Administration configures a data feed (the admin form's values)."""
    _require_administrator(actor)
    created = source.pk is None
    source.save()
    audit_record(
        actor=actor,
        verb="feed.created" if created else "feed.changed",
        obj=source,
        after={
            "name": source.name,
            "kind": source.kind,
            "enabled": source.enabled,
            "fields": sorted(changed),
        },
    )
    return source
