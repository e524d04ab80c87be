"""Template helpers of approvals: bound fields by name, the timeline, the review box on the post page."""

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .. import selectors
from ..models import ReviewStep
from ..timeline import entries

register = template.Library()


@register.filter
def bound_field(form, name: str):
    """``form[name]`` for a field name held in a variable (the warning fields are made per finding)."""
    return form[name]


@register.filter
def audit_entries(events):
    return entries(events)


@register.inclusion_tag("approvals/_post_review.html", takes_context=True)
def review_box(context, post):
    """The review state of ``post`` for its detail page: steps, who decides next, a link to the review."""
    user = context["request"].user
    reviews = list(selectors.reviews_of(post)[:1])
    review = reviews[0] if reviews else None
    step = None
    if review is not None:
        review.post = post
        step = next((s for s in review.steps.all() if s.status == ReviewStep.Status.OPEN), None)
        if step is not None:
            step.review = review
    return {
        "post": post,
        "review": review,
        "step": step,
        "can_decide": step is not None and selectors.may_decide(user, step),
        "request": context["request"],
    }


@register.filter
def waited(since, now=None):
    """How long something has been waiting, for people: "gerade eben" instead of "0 Minuten"."""
    if not since:
        return ""
    now = now or timezone.now()
    if (now - since).total_seconds() < 60:
        return _("just now")
    return timesince(since, now)


@register.filter
def waiting_phrase(since):
    """ "(wartet seit 5 Minuten)" – or "gerade eingegangen" in the first minute."""
    if not since:
        return ""
    if (timezone.now() - since).total_seconds() < 60:
        return _("arrived just now")
    return _("waiting for %(since)s") % {"since": timesince(since)}
