"""Navigation for the base template: the links each role may follow."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from departments import roles
from inbox import selectors as inbox_selectors
from notifications.selectors import unread_notification_count


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    # Who sees the link: "staff" = members of a department; role group names; "all" = everyone logged in.
    audience: tuple[str, ...]


NAV_ITEMS = (
    NavItem("home", _("Start"), ("all",)),
    NavItem(
        "posts:list", _("Posts"), ("staff", roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION)
    ),
    NavItem(
        "posts:calendar",
        _("Editorial calendar"),
        ("staff", roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION),
    ),
    NavItem(
        "approvals:queue", _("Approvals"), (roles.KOORDINATION, roles.PRESSESTELLE, roles.FACHBEREICHSLEITUNG)
    ),
    NavItem(
        "inbox:list", _("Inbox"), ("staff", roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION)
    ),
    NavItem("publishing:deliveries", _("Deliveries"), (roles.KOORDINATION, roles.ADMINISTRATION)),
    NavItem("publishing:sandbox", _("Sandbox feed"), (roles.KOORDINATION, roles.ADMINISTRATION)),
    NavItem(
        "reports:index",
        _("Reports"),
        (roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION, roles.FACHBEREICHSLEITUNG),
    ),
    NavItem("etiquette:guide", _("Etiquette"), ("all",)),
    NavItem("publishing:rollout", _("Rollout"), (roles.ADMINISTRATION,)),
    NavItem("approvals:review_modes", _("Review modes"), (roles.ADMINISTRATION,)),
    NavItem("approvals:audit", _("Audit trail"), (roles.ADMINISTRATION,)),
)


def _visible(item: NavItem, groups: frozenset[str], is_member: bool) -> bool:
    return (
        "all" in item.audience
        or (is_member and "staff" in item.audience)
        or bool(groups & set(item.audience))
    )


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    groups = roles.user_groups(user)
    is_member = bool(groups & {roles.REDAKTION, roles.FACHBEREICHSLEITUNG})
    items = []
    current = request.resolver_match.view_name if request.resolver_match else ""
    for item in NAV_ITEMS:
        if not _visible(item, groups, is_member):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # the page belongs to a part of the app that is not installed yet
            continue
        entry = {"url": url, "label": item.label, "active": current == item.url_name}
        if item.url_name == "inbox:list":
            entry["count"] = inbox_selectors.counts(user).get("open", "0")
        items.append(entry)
    return {
        "nav_items": items,
        "user_is_administrator": roles.is_administrator(user),
        "notifications_unread": unread_notification_count(user),
    }
