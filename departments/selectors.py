"""Reads about departments that views and other apps share."""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from . import roles
from .models import Department, Membership


def departments_for_user(user, perm: str = "departments.draft_posts") -> QuerySet[Department]:
    """Departments in which ``user`` holds ``perm`` as an object permission (through a membership).

    Koordination, Pressestelle and Administration see every department for reading; drafting is
    still tied to membership. Inactive departments are left out.
    """
    if not user.is_authenticated:
        return Department.objects.none()
    if perm == "view" and roles.sees_all_departments(user):
        return Department.objects.filter(active=True)
    if perm == "view":
        perm = "departments.draft_posts"
    return get_objects_for_user(
        user,
        perm,
        klass=Department.objects.filter(active=True),
        accept_global_perms=False,
        with_superuser=False,
    )


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("department").order_by("department__name")
