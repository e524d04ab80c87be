"""The delivery state of a post, for the post page (``{% delivery_box post %}``) and the calendar."""

from django import template

from departments import roles

from .. import selectors
from ..delivery_services import WITHDRAWABLE_POST_STATUSES

register = template.Library()


@register.inclusion_tag("publishing/_post_deliveries.html", takes_context=True)
def delivery_box(context, post):
    request = context["request"]
    can_act = roles.is_coordinator(request.user)
    return {
        "post": post,
        "deliveries": selectors.deliveries_for_post(post),
        "can_act": can_act,
        "can_withdraw": can_act and post.status in WITHDRAWABLE_POST_STATUSES,
        "csrf_token": context.get("csrf_token"),
        "here": request.get_full_path(),
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if hasattr(mapping, "get") else 0
