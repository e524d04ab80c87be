"""Writes for departments and memberships.

A membership and the django-guardian object permissions it implies always change together, in one
transaction, and the change is written to the audit trail.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import audit_record

from . import roles
from .models import Department, Membership

# The object permissions on the department that each membership role carries.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Membership.Role.EDITOR: ("departments.draft_posts",),
    Membership.Role.HEAD: ("departments.draft_posts", "departments.lead_department"),
}
ROLE_GROUPS: dict[str, str] = {
    Membership.Role.EDITOR: roles.REDAKTION,
    Membership.Role.HEAD: roles.FACHBEREICHSLEITUNG,
}
ALL_DEPARTMENT_PERMISSIONS = ("departments.draft_posts", "departments.lead_department")


def _sync_permissions(user, department: Department, role: str | None) -> None:
    wanted = set(ROLE_PERMISSIONS[role]) if role else set()
    for perm in ALL_DEPARTMENT_PERMISSIONS:
        if perm in wanted:
            assign_perm(perm, user, department)
        else:
            remove_perm(perm, user, department)


def _sync_groups(user) -> None:
    """Put the user in Redaktion / Fachbereichsleitung exactly while a membership asks for it."""
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role, group_name in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        if role in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    roles.forget_cached_groups(user)


@transaction.atomic
def department_create(
    *, actor, name: str, code: str, review_mode: str = Department.ReviewMode.COORDINATED, active: bool = True
) -> Department:
    department = Department(name=name, code=code, review_mode=review_mode, active=active)
    department.full_clean()
    department.save()
    audit_record(
        actor=actor,
        verb="department.created",
        obj=department,
        after={"name": name, "code": code, "review_mode": review_mode, "active": active},
    )
    return department


@transaction.atomic
def department_update(*, actor, department: Department, comment: str = "", **changes) -> Department:
    """Change name, code, review mode or active flag; every changed field is audited."""
    allowed = {"name", "code", "review_mode", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} here")
    department = Department.objects.select_for_update().get(pk=department.pk)
    before, after = {}, {}
    for field, value in changes.items():
        if getattr(department, field) != value:
            before[field] = getattr(department, field)
            after[field] = value
            setattr(department, field, value)
    if not after:
        return department
    department.full_clean()
    department.save(update_fields=list(after))
    verb = "department.review_mode_changed" if set(after) == {"review_mode"} else "department.changed"
    audit_record(actor=actor, verb=verb, obj=department, before=before, after=after, comment=comment)
    return department


def department_set_review_mode(
    *, actor, department: Department, review_mode: str, comment: str = ""
) -> Department:
    if review_mode not in Department.ReviewMode.values:
        raise ValidationError(_("Unknown review mode."))
    return department_update(actor=actor, department=department, review_mode=review_mode, comment=comment)


@transaction.atomic
def membership_add(*, actor, user, department: Department, role: str = Membership.Role.EDITOR) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if Membership.objects.filter(user=user, department=department).exists():
        raise ValidationError(
            _("%(user)s is already a member of %(department)s.") % {"user": user, "department": department}
        )
    membership = Membership.objects.create(user=user, department=department, role=role)
    _sync_permissions(user, department, role)
    _sync_groups(user)
    audit_record(
        actor=actor,
        verb="membership.added",
        obj=membership,
        after={"user": user.get_username(), "department": department.code, "role": role},
    )
    return membership


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    membership = (
        Membership.objects.select_for_update().select_related("user", "department").get(pk=membership.pk)
    )
    if membership.role == role:
        return membership
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _sync_permissions(membership.user, membership.department, role)
    _sync_groups(membership.user)
    audit_record(
        actor=actor,
        verb="membership.role_changed",
        obj=membership,
        before={"role": before},
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    membership = Membership.objects.select_related("user", "department").get(pk=membership.pk)
    user, department = membership.user, membership.department
    description = str(membership)
    audit_record(
        actor=actor,
        verb="membership.removed",
        obj=membership,
        before={"user": user.get_username(), "department": department.code, "role": membership.role},
        comment=description,
    )
    membership.delete()
    _sync_permissions(user, department, None)
    _sync_groups(user)
