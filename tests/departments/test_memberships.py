"""Memberships and the object permissions they carry change together, and are audited."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from departments import roles, services
from departments.models import Department, Membership
from departments.selectors import departments_for_user


def fresh(user):
    """Permission and group checks are cached on the user object; reload to see changes."""
    return type(user).objects.get(pk=user.pk)


def test_groups_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_GROUPS)


def test_adding_an_editor_grants_drafting_on_that_department_only(make_user, department, other_department):
    user = make_user("neu")
    services.membership_add(actor=None, user=user, department=department, role="editor")
    user = fresh(user)
    assert user.has_perm("departments.draft_posts", department)
    assert not user.has_perm("departments.lead_department", department)
    assert not user.has_perm("departments.draft_posts", other_department)
    assert list(departments_for_user(user)) == [department]
    assert roles.REDAKTION in roles.user_groups(user)


def test_head_may_lead_and_losing_the_role_revokes_it(head, department):
    assert fresh(head).has_perm("departments.lead_department", department)
    membership = Membership.objects.get(user=head, department=department)
    services.membership_set_role(actor=None, membership=membership, role="editor")
    user = fresh(head)
    assert not user.has_perm("departments.lead_department", department)
    assert user.has_perm("departments.draft_posts", department)
    assert roles.FACHBEREICHSLEITUNG not in roles.user_groups(user)
    assert roles.REDAKTION in roles.user_groups(user)


def test_removing_a_membership_revokes_every_permission(editor, department):
    services.membership_remove(actor=None, membership=Membership.objects.get(user=editor))
    user = fresh(editor)
    assert not user.has_perm("departments.draft_posts", department)
    assert list(departments_for_user(user)) == []
    assert roles.REDAKTION not in roles.user_groups(user)


def test_membership_changes_are_audited(make_user, department, admin_user):
    user = make_user("neu")
    membership = services.membership_add(actor=admin_user, user=user, department=department, role="editor")
    services.membership_set_role(actor=admin_user, membership=membership, role="head")
    services.membership_remove(actor=admin_user, membership=membership)
    verbs = list(AuditEvent.objects.filter(actor=admin_user).values_list("verb", flat=True))
    assert verbs == ["membership.added", "membership.role_changed", "membership.removed"]
    changed = AuditEvent.objects.get(verb="membership.role_changed")
    assert changed.before == {"role": "editor"} and changed.after == {"role": "head"}
    assert changed.actor_name.endswith("(admin)")


def test_a_user_cannot_be_added_twice(editor, department):
    with pytest.raises(ValidationError):
        services.membership_add(actor=None, user=editor, department=department, role="head")


def test_inactive_departments_are_not_offered(editor, department):
    services.department_update(actor=None, department=department, active=False)
    assert list(departments_for_user(fresh(editor))) == []


def test_review_mode_change_is_audited_with_before_and_after(department, admin_user):
    services.department_set_review_mode(
        actor=admin_user, department=department, review_mode="autonomous", comment="Schulung abgeschlossen"
    )
    department.refresh_from_db()
    assert department.review_mode == Department.ReviewMode.AUTONOMOUS
    event = AuditEvent.objects.get(verb="department.review_mode_changed")
    assert event.before == {"review_mode": "coordinated"}
    assert event.after == {"review_mode": "autonomous"}
    assert event.comment == "Schulung abgeschlossen"


def test_admin_inline_goes_through_the_services(client, admin_user, department, make_user):
    """Adding a member in the Django admin grants the object permission (the service ran)."""
    member = make_user("ueber-admin")
    client.force_login(admin_user)
    url = f"/admin/departments/department/{department.pk}/change/"
    data = {
        "name": department.name,
        "code": department.code,
        "review_mode": "coordinated",
        "active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(member.pk),
        "memberships-0-role": "head",
        "memberships-0-department": str(department.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(member).has_perm("departments.lead_department", department)
    assert AuditEvent.objects.filter(verb="membership.added", actor=admin_user).exists()


def test_admin_cannot_delete_departments(client, admin_user, department):
    client.force_login(admin_user)
    response = client.get(f"/admin/departments/department/{department.pk}/delete/")
    assert response.status_code == 403
