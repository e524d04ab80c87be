"""The roles of DESIGN.md as Django groups, and the checks views and services share.

Department staff (Redaktion, Fachbereichsleitung) get their group from their memberships (see
``departments.services``); the county-wide roles are plain group memberships set by an administrator.
"""

from django.utils.translation import gettext_lazy as _

REDAKTION = "Redaktion"
FACHBEREICHSLEITUNG = "Fachbereichsleitung"
KOORDINATION = "Koordination"
PRESSESTELLE = "Pressestelle"
ADMINISTRATION = "Administration"

ALL_GROUPS = (REDAKTION, FACHBEREICHSLEITUNG, KOORDINATION, PRESSESTELLE, ADMINISTRATION)

DESCRIPTIONS = {
    REDAKTION: _("drafts, edits and submits posts of their own departments"),
    FACHBEREICHSLEITUNG: _("as Redaktion; approves posts of an autonomous department"),
    KOORDINATION: _("the approval queue of all departments, deliveries"),
    PRESSESTELLE: _("second review of press-relevant posts"),
    ADMINISTRATION: _("channels, rollout phases, departments, etiquette rules"),
}


def user_groups(user) -> frozenset[str]:
    """The role groups of a user, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_landkreis_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {ADMINISTRATION}
        user._landkreis_groups = cached
    return cached


def forget_cached_groups(user) -> None:
    if hasattr(user, "_landkreis_groups"):
        del user._landkreis_groups


def is_coordinator(user) -> bool:
    return KOORDINATION in user_groups(user)


def is_press_office(user) -> bool:
    return PRESSESTELLE in user_groups(user)


def is_administrator(user) -> bool:
    return ADMINISTRATION in user_groups(user)


def sees_all_departments(user) -> bool:
    """Koordination, Pressestelle and Administration work across all departments."""
    return bool(user_groups(user) & {KOORDINATION, PRESSESTELLE, ADMINISTRATION})
