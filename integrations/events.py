"""The registry of webhook events.

An event is named for subscribers (``post.approved``) and found in the audit trail by the verbs that
record it: the webhook dispatcher reads the trail in order (its sequence numbers) and turns each
matching audit event into deliveries. So the apps below need to know nothing about webhooks – every
transition they make is audited anyway – and no event is lost between a commit and a queue.

Events are matched by audit verb, so the app that writes the verb need not know about webhooks: the inbox
(same layer, independent) is listed here by its verbs, without an import either way. Add an event by
calling :func:`register` here (or from an app above integrations).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WebhookEvent:
    name: str
    label: str
    audit_verbs: tuple[str, ...]
    # Events about posts are sent to the integrations whose departments include the post's department.
    about_posts: bool = True
    # Events about another department-owned object (an inbox item) name its department in the audit
    # event's ``after`` under this key; they go only to integrations of that department – an event
    # without it goes nowhere (fail closed). Empty: the event is about no department (a channel's fetch).
    department_key: str = ""


registry: dict[str, WebhookEvent] = {}


def register(event: WebhookEvent) -> WebhookEvent:
    if event.name in registry and registry[event.name] != event:
        raise ValueError(f"webhook event {event.name} registered twice")
    registry[event.name] = event
    return event


def events_for_verb(verb: str) -> list[WebhookEvent]:
    return [event for event in registry.values() if verb in event.audit_verbs]


def all_verbs() -> set[str]:
    return {verb for event in registry.values() for verb in event.audit_verbs}


def choices() -> list[tuple[str, str]]:
    return [(event.name, f"{event.name} – {event.label}") for event in registry.values()]


register(WebhookEvent("post.submitted", _("post submitted for review"), ("post.submitted",)))
register(WebhookEvent("post.approved", _("post approved"), ("post.approved",)))
register(WebhookEvent("post.rejected", _("post rejected"), ("post.rejected",)))
register(WebhookEvent("post.changes_requested", _("changes requested"), ("post.changes_requested",)))
register(WebhookEvent("post.published", _("post published"), ("post.published",)))
register(WebhookEvent("post.failed", _("post failed"), ("post.failed", "post.partially_failed")))
register(WebhookEvent("post.withdrawn", _("post withdrawn"), ("post.withdrawn",)))
register(WebhookEvent("delivery.failed", _("delivery failed"), ("delivery.failed",)))
register(WebhookEvent("delivery.uncertain", _("delivery outcome unknown"), ("delivery.uncertain",)))
register(
    WebhookEvent(
        "inbox.items_received",
        _("new messages in the inbox"),
        ("inbox.items_received",),
        about_posts=False,
    )
)
register(
    WebhookEvent(
        "inbox.item_assigned",
        _("inbox message assigned"),
        ("inbox_item.assigned", "inbox_item.reassigned", "inbox_item.taken_over"),
        about_posts=False,
        department_key="department_id",
    )
)
