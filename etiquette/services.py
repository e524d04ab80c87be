"""Writes of the etiquette app. Each is audited in its own transaction; every change to what the
rules read also moves the rule-set token, so the next check in every process reloads the rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import kinds
from .models import (
    Acknowledgement,
    AllowlistEntry,
    Election,
    GuideVersion,
    NetiquetteClause,
    NetiquetteVersion,
    Rule,
    RuleSetState,
    Term,
)
from .selectors import current_guide, current_netiquette

RULE_FIELDS = ("kind", "severity", "channels", "parameters", "active", "description", "position")
TERM_FIELDS = ("term_list", "term", "suggestion", "case_sensitive", "active", "note")
ALLOWLIST_FIELDS = ("kind", "value", "note", "active")
ELECTION_FIELDS = ("name", "date", "window_days")
GUIDE_FIELDS = ("major", "minor", "title", "body", "changes")


def ruleset_touch() -> str:
    """Give the rule set a new token (inside the caller's transaction)."""
    token = RuleSetState.new_token()
    updated = RuleSetState.objects.filter(id=1).update(token=token, changed_at=timezone.now())
    if not updated:
        RuleSetState.objects.create(id=1, token=token, changed_at=timezone.now())
    return token


def _values(obj: models.Model, fields) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def _create(*, actor, model, fields, verb: str, values: dict, comment: str = "") -> models.Model:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    obj = model(**values)
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, verb=verb, obj=obj, after=_values(obj, fields), comment=comment)
    ruleset_touch()
    return obj


def _update(*, actor, obj, fields, verb: str, changes: dict, comment: str = "", touch: bool = True):
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} here")
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.full_clean()  # may normalise values (parameters with defaults, allowlist values)
    stored = type(obj).objects.get(pk=obj.pk)
    before, after = {}, {}
    for field in changes:
        if getattr(stored, field) != getattr(obj, field):
            before[field] = getattr(stored, field)
            after[field] = getattr(obj, field)
    if not after:
        return obj
    obj.save(update_fields=[*after, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    audit_record(actor=actor, verb=verb, obj=obj, before=before, after=after, comment=comment)
    if touch:
        ruleset_touch()
    return obj


def _delete(*, actor, obj, fields, verb: str, comment: str = "") -> None:
    before = _values(obj, fields)
    audit_record(actor=actor, verb=verb, obj=obj, before=before, comment=comment)
    obj.delete()
    ruleset_touch()


# --- Rules ------------------------------------------------------------------------------------------


@transaction.atomic
def rule_create(
    *,
    actor,
    code: str,
    kind: str,
    severity: str | None = None,
    channels: list[str] | None = None,
    parameters: dict | None = None,
    active: bool = True,
    description: str = "",
    position: int = 100,
) -> Rule:
    kind_class = kinds.get(kind)
    values = {
        "kind": kind,
        "severity": severity or kind_class.default_severity.value,
        "channels": channels or [],
        "parameters": parameters if parameters is not None else kind_class.default_parameters(),
        "active": active,
        "description": description,
        "position": position,
    }
    rule = Rule(code=code, **values)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor, verb="rule.created", obj=rule, after={"code": code, **_values(rule, RULE_FIELDS)}
    )
    ruleset_touch()
    return rule


@transaction.atomic
def rule_update(*, actor, rule: Rule, comment: str = "", **changes) -> Rule:
    """Change severity, networks, parameters, active flag, description or position of a rule.

    Parameters are validated by the rule's kind (``ValidationError`` on ``parameters`` otherwise).
    """
    return _update(
        actor=actor, obj=rule, fields=RULE_FIELDS, verb="rule.changed", changes=changes, comment=comment
    )


def rule_set_severity(*, actor, rule: Rule, severity: str, comment: str = "") -> Rule:
    return rule_update(actor=actor, rule=rule, severity=severity, comment=comment)


@transaction.atomic
def rule_reset_parameters(*, actor, rule: Rule, comment: str = "") -> Rule:
    return rule_update(
        actor=actor, rule=rule, parameters=kinds.get(rule.kind).default_parameters(), comment=comment
    )


# --- Term lists, allowlist, elections ----------------------------------------------------------------


@transaction.atomic
def term_add(
    *,
    actor,
    term_list: str,
    term: str,
    suggestion: str = "",
    case_sensitive: bool = False,
    active: bool = True,
    note: str = "",
) -> Term:
    return _create(
        actor=actor,
        model=Term,
        fields=TERM_FIELDS,
        verb="term.added",
        values={
            "term_list": term_list,
            "term": term.strip(),
            "suggestion": suggestion.strip(),
            "case_sensitive": case_sensitive,
            "active": active,
            "note": note,
        },
    )


@transaction.atomic
def term_update(*, actor, entry: Term, comment: str = "", **changes) -> Term:
    # ``entry``, not ``term``: ``term`` is one of the fields that can change (the word itself).
    return _update(
        actor=actor, obj=entry, fields=TERM_FIELDS, verb="term.changed", changes=changes, comment=comment
    )


@transaction.atomic
def term_remove(*, actor, term: Term, comment: str = "") -> None:
    _delete(actor=actor, obj=term, fields=TERM_FIELDS, verb="term.removed", comment=comment)


@transaction.atomic
def allowlist_entry_add(
    *, actor, kind: str, value: str, note: str = "", active: bool = True
) -> AllowlistEntry:
    return _create(
        actor=actor,
        model=AllowlistEntry,
        fields=ALLOWLIST_FIELDS,
        verb="allowlist_entry.added",
        values={"kind": kind, "value": value, "note": note, "active": active},
    )


@transaction.atomic
def allowlist_entry_update(*, actor, entry: AllowlistEntry, comment: str = "", **changes) -> AllowlistEntry:
    return _update(
        actor=actor,
        obj=entry,
        fields=ALLOWLIST_FIELDS,
        verb="allowlist_entry.changed",
        changes=changes,
        comment=comment,
    )


@transaction.atomic
def allowlist_entry_remove(*, actor, entry: AllowlistEntry, comment: str = "") -> None:
    _delete(actor=actor, obj=entry, fields=ALLOWLIST_FIELDS, verb="allowlist_entry.removed", comment=comment)


@transaction.atomic
def election_add(*, actor, name: str, date, window_days: int = 90) -> Election:
    return _create(
        actor=actor,
        model=Election,
        fields=ELECTION_FIELDS,
        verb="election.added",
        values={"name": name, "date": date, "window_days": window_days},
    )


@transaction.atomic
def election_update(*, actor, election: Election, comment: str = "", **changes) -> Election:
    return _update(
        actor=actor,
        obj=election,
        fields=ELECTION_FIELDS,
        verb="election.changed",
        changes=changes,
        comment=comment,
    )


@transaction.atomic
def election_remove(*, actor, election: Election, comment: str = "") -> None:
    _delete(actor=actor, obj=election, fields=ELECTION_FIELDS, verb="election.removed", comment=comment)


# --- The guide --------------------------------------------------------------------------------------


@transaction.atomic
def guide_version_create(
    *, actor, major: int, minor: int = 0, body: str, title: str = "", changes: str = ""
) -> GuideVersion:
    version = GuideVersion(
        major=major,
        minor=minor,
        title=title or GuideVersion._meta.get_field("title").default,
        body=body,
        changes=changes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        verb="guide.version_created",
        obj=version,
        after={"version": version.label, "title": version.title},
    )
    return version


@transaction.atomic
def guide_version_update(*, actor, version: GuideVersion, comment: str = "", **changes) -> GuideVersion:
    """Edit a draft. Published versions never change: write a new version instead."""
    locked = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationError(_("A published guide version cannot be changed; create a new version."))
    return _update(
        actor=actor,
        obj=locked,
        fields=GUIDE_FIELDS,
        verb="guide.version_changed",
        changes=changes,
        comment=comment,
        touch=False,
    )


@transaction.atomic
def guide_version_publish(*, actor, version: GuideVersion) -> GuideVersion:
    """Make a draft the current guide. Its number must be higher than the current version's."""
    version = GuideVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("This version is already published."))
    current = current_guide()
    if current is not None and (version.major, version.minor) <= (current.major, current.minor):
        raise ValidationError(
            _("Version %(new)s is not newer than the current version %(current)s.")
            % {"new": version.label, "current": current.label}
        )
    if not version.body.strip():
        raise ValidationError(_("The guide has no text."))
    version.status = GuideVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if actor is not None and actor.is_authenticated else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        verb="guide.version_published",
        obj=version,
        before={"current": current.label if current else None},
        after={"current": version.label, "new_major": current is None or version.major > current.major},
    )
    return version


@transaction.atomic
def guide_acknowledge(*, actor, version: GuideVersion) -> Acknowledgement:
    """``actor`` confirms "gelesen und verstanden" for ``version`` (the current published one)."""
    if actor is None or not actor.is_authenticated:
        raise ValidationError(_("Only a logged-in person can acknowledge the guide."))
    current = current_guide()
    if current is None or version.pk != current.pk:
        raise ValidationError(_("Only the current version of the guide can be acknowledged."))
    acknowledgement, created = Acknowledgement.objects.get_or_create(
        user=actor, version=version, defaults={"acknowledged_at": timezone.now()}
    )
    if created:
        audit_record(
            actor=actor, verb="guide.acknowledged", obj=acknowledgement, after={"version": version.label}
        )
    return acknowledgement


# --- The netiquette ---------------------------------------------------------------------------------

NETIQUETTE_FIELDS = ("major", "minor", "title", "intro", "changes")
CLAUSE_FIELDS = ("number", "anchor", "title", "body")


def _clauses_of(version: NetiquetteVersion) -> list[dict]:
    return [
        {field: getattr(clause, field) for field in CLAUSE_FIELDS}
        for clause in version.clauses.order_by("number")
    ]


def _check_clauses(clauses: list[dict]) -> list[dict]:
    cleaned, numbers, anchors = [], set(), set()
    for raw in clauses:
        clause = NetiquetteClause(**{field: raw.get(field) for field in CLAUSE_FIELDS}, version_id=0)
        clause.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
        if clause.number in numbers:
            raise ValidationError(_("Clause number %(number)s is used twice.") % {"number": clause.number})
        if clause.anchor in anchors:
            raise ValidationError(_("Anchor “%(anchor)s” is used twice.") % {"anchor": clause.anchor})
        numbers.add(clause.number)
        anchors.add(clause.anchor)
        cleaned.append({field: getattr(clause, field) for field in CLAUSE_FIELDS})
    return sorted(cleaned, key=lambda c: c["number"])


@transaction.atomic
def netiquette_version_create(
    *,
    actor,
    major: int,
    minor: int = 0,
    title: str = "",
    intro: str = "",
    changes: str = "",
    clauses: list[dict] | None = None,
) -> NetiquetteVersion:
    """A new draft, with its clauses (``number``, ``anchor``, ``title``, ``body`` each)."""
    version = NetiquetteVersion(
        major=major,
        minor=minor,
        title=title or NetiquetteVersion._meta.get_field("title").default,
        intro=intro,
        changes=changes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    version.full_clean()
    version.save()
    cleaned = _check_clauses(clauses or [])
    NetiquetteClause.objects.bulk_create(NetiquetteClause(version=version, **clause) for clause in cleaned)
    audit_record(
        actor=actor,
        verb="netiquette.version_created",
        obj=version,
        after={"version": version.label, "title": version.title, "clauses": [c["anchor"] for c in cleaned]},
    )
    return version


def _draft_for_update(version: NetiquetteVersion) -> NetiquetteVersion:
    locked = NetiquetteVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationError(_("A published netiquette cannot be changed; create a new version."))
    return locked


@transaction.atomic
def netiquette_version_update(
    *, actor, version: NetiquetteVersion, comment: str = "", **changes
) -> NetiquetteVersion:
    """Edit a draft's title, introduction, number or change note."""
    locked = _draft_for_update(version)
    return _update(
        actor=actor,
        obj=locked,
        fields=NETIQUETTE_FIELDS,
        verb="netiquette.version_changed",
        changes=changes,
        comment=comment,
        touch=False,
    )


@transaction.atomic
def netiquette_clauses_replace(*, actor, version: NetiquetteVersion, clauses: list[dict]) -> None:
    """Set a draft's clauses to ``clauses`` (audited with the anchors before and after)."""
    locked = _draft_for_update(version)
    cleaned = _check_clauses(clauses)
    before = _clauses_of(locked)
    if before == cleaned:
        return
    locked.clauses.all().delete()
    NetiquetteClause.objects.bulk_create(NetiquetteClause(version=locked, **clause) for clause in cleaned)
    audit_record(
        actor=actor,
        verb="netiquette.clauses_changed",
        obj=locked,
        before={"clauses": [f"{c['number']}:{c['anchor']}" for c in before]},
        after={"clauses": [f"{c['number']}:{c['anchor']}" for c in cleaned]},
    )


@transaction.atomic
def netiquette_version_copy(*, actor, version: NetiquetteVersion) -> NetiquetteVersion:
    """A new draft with the next minor number and the same text and clauses, to edit."""
    newest = NetiquetteVersion.objects.order_by("-major", "-minor").first()
    major, minor = (newest.major, newest.minor + 1) if newest else (version.major, version.minor + 1)
    return netiquette_version_create(
        actor=actor,
        major=major,
        minor=minor,
        title=version.title,
        intro=version.intro,
        clauses=_clauses_of(version),
    )


@transaction.atomic
def netiquette_version_publish(*, actor, version: NetiquetteVersion) -> NetiquetteVersion:
    """Make a draft the public netiquette. It must be newer than the current one and have clauses;
    an anchor of the current version that disappears is refused (links from profiles would break)
    unless its clause is kept under the same anchor."""
    version = _draft_for_update(version)
    current = current_netiquette()
    if current is not None and (version.major, version.minor) <= (current.major, current.minor):
        raise ValidationError(
            _("Version %(new)s is not newer than the current version %(current)s.")
            % {"new": version.label, "current": current.label}
        )
    anchors = set(version.clauses.values_list("anchor", flat=True))
    if not anchors:
        raise ValidationError(_("The netiquette has no clauses."))
    if current is not None:
        dropped = sorted({clause.anchor for clause in current.clauses.all()} - anchors)
        if dropped:
            raise ValidationError(
                _(
                    "The anchors %(anchors)s of the current version are missing: links to them would "
                    "break. Keep each anchor (the clause may be renumbered or reworded)."
                )
                % {"anchors": ", ".join(dropped)}
            )
    version.status = NetiquetteVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if actor is not None and actor.is_authenticated else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        verb="netiquette.version_published",
        obj=version,
        before={"current": current.label if current else None},
        after={"current": version.label},
    )
    return version
