"""Writes for channels and rollout phases. Each is audited in its own transaction.

Credentials never reach the audit trail: events name the changed credential *fields* only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import crypto, selectors
from .adapters import adapter_for
from .models import Channel, RolloutPhase
from .networks import registry
from .networks.base import PublishError
from .permissions import sync_channel_permissions
from .signals import channel_attention_cleared

CHANNEL_FIELDS = ("name", "account", "base_url")
# Starting a rollout phase needs an access check of each of its channels at most this old.
ACCESS_CHECK_VALID_FOR = timedelta(minutes=15)


def _validate(kind: str, *, account: str, base_url: str, credentials: dict | None, partial: bool = False):
    try:
        adapter = registry.get(kind)
    except KeyError:
        raise ValidationError({"kind": [_("Unknown network.")]}) from None
    if credentials is None:  # credentials unchanged: check account and base URL only
        errors = adapter.validate_config(account=account, base_url=base_url, credentials={})
        errors = {k: v for k, v in errors.items() if k in ("account", "base_url")}
    else:
        errors = adapter.validate_config(
            account=account, base_url=base_url, credentials=credentials, partial=partial
        )
    if errors:
        raise ValidationError(errors)


def _clean_credentials(kind: str, credentials: dict) -> dict:
    fields = registry.get(kind).credential_fields
    return {name: str(credentials.get(name) or "").strip() for name in fields}


@transaction.atomic
def channel_create(
    *,
    actor,
    kind: str,
    name: str,
    account: str = "",
    base_url: str = "",
    credentials: dict | None = None,
    departments: Iterable = (),
) -> Channel:
    """A new channel, switched off. It goes live through a rollout phase (``phase_activate``)."""
    credentials = _clean_credentials(kind, credentials or {}) if kind in registry.kinds() else {}
    if not any(credentials.values()):
        credentials = {}  # planned without credentials: it cannot publish until they are entered
    _validate(kind, account=account, base_url=base_url, credentials=credentials or None)
    channel = Channel(kind=kind, name=name, account=account.strip(), base_url=base_url.strip())
    channel.credentials_encrypted = crypto.encrypt_json(credentials)
    channel.full_clean()
    channel.save()
    departments = list(departments)
    channel.departments.set(departments)
    sync_channel_permissions(channel)
    audit_record(
        actor=actor,
        verb="channel.created",
        obj=channel,
        after={
            "kind": kind,
            "name": name,
            "account": channel.account,
            "base_url": channel.base_url,
            "credential_fields": sorted(k for k, v in credentials.items() if v),
            "departments": sorted(d.code for d in departments),
        },
    )
    return channel


@transaction.atomic
def channel_update(*, actor, channel: Channel, comment: str = "", **changes) -> Channel:
    """Change name, account or base URL (credentials: ``channel_set_credentials``)."""
    unknown = set(changes) - set(CHANNEL_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} here")
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before, after = {}, {}
    for field, value in changes.items():
        value = (value or "").strip()
        if getattr(channel, field) != value:
            before[field], after[field] = getattr(channel, field), value
            setattr(channel, field, value)
    if not after:
        return channel
    _validate(channel.kind, account=channel.account, base_url=channel.base_url, credentials=None)
    channel.full_clean()
    if "base_url" in after or "account" in after:
        channel.session_encrypted = ""  # a session belongs to one server and one account
    channel.save(update_fields=[*after, "session_encrypted", "updated_at"])
    audit_record(
        actor=actor, verb="channel.changed", obj=channel, before=before, after=after, comment=comment
    )
    return channel


@transaction.atomic
def channel_set_credentials(*, actor, channel: Channel, credentials: dict) -> Channel:
    """Replace the channel's credentials (encrypted); the stored network session is dropped."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    credentials = _clean_credentials(channel.kind, credentials)
    _validate(
        channel.kind,
        account=channel.account,
        base_url=channel.base_url,
        credentials=credentials,
        partial=True,
    )
    try:
        old = crypto.decrypt_json(channel.credentials_encrypted)
    except crypto.CredentialsUnreadable:
        old = {}
    changed = sorted(name for name in credentials if credentials[name] != old.get(name))
    channel.credentials_encrypted = crypto.encrypt_json(credentials)
    channel.session_encrypted = ""
    channel.check_ok = None
    channel.check_message = ""
    channel.save(
        update_fields=[
            "credentials_encrypted",
            "session_encrypted",
            "check_ok",
            "check_message",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        verb="channel.credentials_changed",
        obj=channel,
        after={"fields": changed},  # names only, never values
    )
    # New credentials: deliveries that waited for the channel go again (a refusal flags it anew).
    channel_attention_clear(actor=actor, channel=channel, reason=_("The credentials were changed."))
    return channel


def _set_enabled(*, actor, channel: Channel, enabled: bool, comment: str) -> Channel:
    if channel.enabled == enabled:
        return channel
    channel.enabled = enabled
    channel.save(update_fields=["enabled", "updated_at"])
    audit_record(
        actor=actor,
        verb="channel.enabled" if enabled else "channel.disabled",
        obj=channel,
        before={"enabled": not enabled},
        after={"enabled": enabled},
        comment=comment,
    )
    return channel


@transaction.atomic
def channel_enable(*, actor, channel: Channel, comment: str = "") -> Channel:
    """Switch a channel on; refused unless it belongs to an active rollout phase."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not selectors.channel_is_in_active_phase(channel):
        raise ValidationError(
            _(
                "%(channel)s is not part of an active rollout phase. Add it to a phase and activate "
                "that phase first."
            )
            % {"channel": channel.name},
            code="not_in_active_phase",
        )
    return _set_enabled(actor=actor, channel=channel, enabled=True, comment=comment)


@transaction.atomic
def channel_disable(*, actor, channel: Channel, comment: str = "") -> Channel:
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    return _set_enabled(actor=actor, channel=channel, enabled=False, comment=comment)


@transaction.atomic
def channel_set_departments(*, actor, channel: Channel, departments: Iterable, comment: str = "") -> Channel:
    """Which departments may publish on the channel (mirrored into guardian, see permissions.py)."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    departments = list(departments)
    before = sorted(channel.departments.values_list("code", flat=True))
    after = sorted(d.code for d in departments)
    if before == after:
        return channel
    channel.departments.set(departments)
    sync_channel_permissions(channel)
    audit_record(
        actor=actor,
        verb="channel.departments_changed",
        obj=channel,
        before={"departments": before},
        after={"departments": after},
        comment=comment,
    )
    return channel


def channel_store_session(*, channel_id: int, session: str) -> None:
    """Keep the session a network handed out (Bluesky), encrypted. Technical state: not audited."""
    Channel.objects.filter(pk=channel_id).update(session_encrypted=crypto.encrypt_text(session))


def channel_attention_clear(*, actor, channel: Channel, reason: str) -> bool:
    """The channel's credentials were changed or checked successfully: it no longer needs attention and
    (``channel_attention_cleared``, publishing listens) its waiting deliveries go again.

    Runs inside the caller's transaction."""
    cleared = Channel.objects.filter(pk=channel.pk, attention_since__isnull=False).update(
        attention_since=None, attention_message=""
    )
    if not cleared:
        return False
    audit_record(actor=actor, verb="channel.attention_cleared", obj=channel, comment=reason)
    channel_attention_cleared.send(sender=Channel, channel=channel, actor=actor)
    return True


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    missing: bool = False  # no (or incomplete) credentials stored: nothing was asked of the network


def channel_check_credentials(*, actor, channel: Channel) -> CheckResult:
    """Ask the network who the channel's credentials belong to; store and audit the answer.

    The network call happens outside any transaction; the answer is written afterwards.
    """
    missing = credentials_missing(channel)
    if missing:
        result = CheckResult(False, missing, missing=True)  # nothing to ask the network
    else:
        try:
            answer = adapter_for(channel).check_credentials()
            result = CheckResult(True, _("Access works: %(account)s") % {"account": answer})
        except PublishError as exc:
            result = CheckResult(False, exc.message)
        except crypto.CredentialsUnreadable as exc:
            result = CheckResult(False, str(exc))
    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(
            checked_at=timezone.now(), check_ok=result.ok, check_message=result.message[:500]
        )
        audit_record(
            actor=actor,
            verb="channel.credentials_checked",
            obj=channel,
            after={"ok": result.ok, "message": result.message[:500]},
        )
        if result.ok:
            channel_attention_clear(actor=actor, channel=channel, reason=_("The access check succeeded."))
    return result


def credentials_missing(channel: Channel) -> str:
    """Why the channel has no usable credentials stored ("" if it has them, or needs none): said as
    such, not as a refusal by the network."""
    adapter_class = registry.get(channel.kind)
    if channel.credentials_encrypted:
        return ""
    if not adapter_class.validate_credentials({}):
        return ""  # a network that needs no credentials (the sandbox)
    return _("No credentials are stored for this channel yet – enter them in the channel's settings.")


def channel_access_ready(channel: Channel, now=None) -> str:
    """Why ``channel`` may not go live now ("" if its last access check succeeded recently)."""
    now = now or timezone.now()
    if channel.checked_at is None:
        return _("Its access has not been checked.")
    if not channel.check_ok:
        return channel.check_message or _("The access check failed.")
    if channel.checked_at < now - ACCESS_CHECK_VALID_FOR:
        return _("Its last access check is older than %(minutes)s minutes.") % {
            "minutes": int(ACCESS_CHECK_VALID_FOR.total_seconds() // 60)
        }
    return ""


def phase_check_access(*, actor, phase: RolloutPhase) -> list[tuple[Channel, CheckResult]]:
    """ "Zugang prüfen" for every channel of ``phase`` (each check is recorded and audited as usual)."""
    return [
        (channel, channel_check_credentials(actor=actor, channel=channel))
        for channel in phase.channels.order_by("name")
    ]


def _refuse_if_not_startable(phase: RolloutPhase) -> None:
    """Phases start in order: refused while an earlier phase is still planned, or if it runs already."""
    if phase.is_active:
        raise ValidationError(
            _("%(phase)s is already active.") % {"phase": phase.name}, code="already_active"
        )
    earlier = RolloutPhase.objects.filter(status=RolloutPhase.Status.PLANNED, order__lt=phase.order).order_by(
        "order"
    )
    if earlier.exists():
        raise ValidationError(
            _("Activate %(earlier)s first: phases start in order.") % {"earlier": earlier.first().name},
            code="out_of_order",
        )


@transaction.atomic
def phase_start(*, actor, phase: RolloutPhase, comment: str = "") -> RolloutPhase:
    """Start a phase the way people do (rollout page, admin action): only if every one of its channels
    passed an access check within :data:`ACCESS_CHECK_VALID_FOR`; otherwise refused, naming each channel
    and why. ``phase_activate`` below is the step itself (also used by the demo seed)."""
    _refuse_if_not_startable(phase)
    now = timezone.now()
    problems = [
        f"{channel.name}: {reason}"
        for channel in phase.channels.order_by("name")
        if (reason := channel_access_ready(channel, now))
    ]
    if problems:
        raise ValidationError(
            [
                _("%(phase)s was not started: its channels must pass the access check first.")
                % {"phase": phase.name},
                *problems,
            ],
            code="access_not_checked",
        )
    return phase_activate(actor=actor, phase=phase, comment=comment)


# --- Rollout phases ----------------------------------------------------------------------------------


@transaction.atomic
def phase_create(
    *,
    actor,
    order: int,
    name: str,
    description: str = "",
    planned_start=None,
    channels: Iterable = (),
    departments: Iterable = (),
) -> RolloutPhase:
    phase = RolloutPhase(order=order, name=name, description=description, planned_start=planned_start)
    phase.full_clean()
    phase.save()
    channels, departments = list(channels), list(departments)
    phase.channels.set(channels)
    phase.departments.set(departments)
    audit_record(
        actor=actor,
        verb="rollout_phase.created",
        obj=phase,
        after={
            "order": order,
            "name": name,
            "planned_start": planned_start,
            "channels": sorted(c.name for c in channels),
            "departments": sorted(d.code for d in departments),
        },
    )
    return phase


@transaction.atomic
def phase_update(
    *,
    actor,
    phase: RolloutPhase,
    channels: Iterable | None = None,
    departments: Iterable | None = None,
    **changes,
) -> RolloutPhase:
    """Change a phase's plan. Adding channels or departments to an *active* phase puts them live at
    once (as activating would); removing them from an active phase switches nothing off."""
    unknown = set(changes) - {"order", "name", "description", "planned_start"}
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} here")
    phase = RolloutPhase.objects.select_for_update().get(pk=phase.pk)
    before, after = {}, {}
    for field, value in changes.items():
        if getattr(phase, field) != value:
            before[field], after[field] = getattr(phase, field), value
            setattr(phase, field, value)
    if after:
        phase.full_clean()
        phase.save(update_fields=list(after))
    added = {"channels": [], "departments": []}
    for relation, items, label in (("channels", channels, "name"), ("departments", departments, "code")):
        if items is None:
            continue
        items = list(items)
        current = set(getattr(phase, relation).values_list("pk", flat=True))
        old = sorted(getattr(phase, relation).values_list(label, flat=True))
        new = sorted(getattr(item, label) for item in items)
        if old != new:
            getattr(phase, relation).set(items)
            before[relation], after[relation] = old, new
            added[relation] = [item for item in items if item.pk not in current]
    if after:
        audit_record(actor=actor, verb="rollout_phase.changed", obj=phase, before=before, after=after)
        if phase.is_active:
            _bring_live(
                actor=actor, phase=phase, channels=added["channels"], departments=added["departments"]
            )
    return phase


def _bring_live(*, actor, phase: RolloutPhase, channels: list, departments: list) -> None:
    """Put ``channels`` (newly started) live and connect them with the departments of all active
    phases; connect ``departments`` (newly on board) with every channel of the active phases.

    Phases add up: a department brought on board in Phase 0 also gets the channels of Phase 1.
    Pairs an administrator narrowed or channels switched off earlier are left as they are.
    """
    for channel in channels:
        _set_enabled(
            actor=actor,
            channel=Channel.objects.select_for_update().get(pk=channel.pk),
            enabled=True,
            comment=phase.name,
        )
    active = RolloutPhase.objects.filter(status=RolloutPhase.Status.ACTIVE)
    active_departments = {
        d.pk: d for p in active.prefetch_related("departments") for d in p.departments.all()
    }
    new_channel_ids = {c.pk for c in channels}
    new_departments = {d.pk: d for d in departments}
    for channel in Channel.objects.filter(phases__in=active).distinct().prefetch_related("departments"):
        wanted = active_departments if channel.pk in new_channel_ids else new_departments
        have = {d.pk for d in channel.departments.all()}
        missing = [d for pk, d in wanted.items() if pk not in have]
        if missing:
            channel_set_departments(
                actor=actor,
                channel=channel,
                departments=[*channel.departments.all(), *missing],
                comment=phase.name,
            )


@transaction.atomic
def phase_activate(*, actor, phase: RolloutPhase, comment: str = "") -> RolloutPhase:
    """Start a phase: its channels are enabled, its departments get the live channels.

    Phases start in order: refused while an earlier phase is still planned, or if it runs already.
    """
    phase = RolloutPhase.objects.select_for_update().get(pk=phase.pk)
    _refuse_if_not_startable(phase)
    phase.status = RolloutPhase.Status.ACTIVE
    phase.activated_at = timezone.now()
    phase.activated_by = actor if actor is not None and actor.is_authenticated else None
    phase.save(update_fields=["status", "activated_at", "activated_by"])
    audit_record(
        actor=actor,
        verb="rollout_phase.activated",
        obj=phase,
        before={"status": RolloutPhase.Status.PLANNED},
        after={
            "status": RolloutPhase.Status.ACTIVE,
            "channels": sorted(phase.channels.values_list("name", flat=True)),
            "departments": sorted(phase.departments.values_list("code", flat=True)),
        },
        comment=comment,
    )
    _bring_live(
        actor=actor,
        phase=phase,
        channels=list(phase.channels.all()),
        departments=list(phase.departments.all()),
    )
    return phase


@transaction.atomic
def channels_rotate_credentials_key(*, actor) -> int:
    """Re-encrypt every channel with the first configured key, all or nothing.

    Raises ``CredentialsUnreadable`` (and changes nothing) if a value cannot be decrypted with any
    configured key – e.g. the old key was removed before rotating."""
    count = 0
    for channel in Channel.objects.select_for_update().order_by("pk"):
        channel.credentials_encrypted = crypto.rotate(channel.credentials_encrypted)
        channel.session_encrypted = crypto.rotate(channel.session_encrypted)
        channel.save(update_fields=["credentials_encrypted", "session_encrypted"])
        count += 1
    audit_record(actor=actor, verb="channel.credentials_key_rotated", after={"channels": count})
    return count
