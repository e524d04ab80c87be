"""Icons from the self-hosted sprite (``static/icons/sprite.svg``, built by ``scripts/build_icons.py``).

- ``{% icon "bell" %}``: an interface icon in the text colour, hidden from screen readers (the text
  next to it says what it means).
- ``{% network_icon channel.kind %}``: the network's logo; ``{% channel_name channel %}``: logo and
  the channel's name, the way a channel is named everywhere in the app.

The sprite's symbol ids are the network kinds of the registry (``net-<kind>``): no branching on the
kind here; an unknown kind falls back to a neutral symbol.
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from landkreis_social import theme

register = template.Library()

_KNOWN_NETWORKS = frozenset({"facebook", "x", "instagram", "mastodon", "bluesky", "sandbox"})


def _sprite() -> str:
    return static("icons/sprite.svg")


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    return format_html(
        '<svg class="icon{}" aria-hidden="true" focusable="false"><use href="{}#bi-{}"></use></svg>',
        f" {css_class}" if css_class else "",
        _sprite(),
        name,
    )


@register.simple_tag
def network_icon(kind: str, css_class: str = "") -> str:
    symbol = f"net-{kind}" if kind in _KNOWN_NETWORKS else "bi-broadcast"
    return format_html(
        '<svg class="icon network-icon{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        f" {css_class}" if css_class else "",
        _sprite(),
        symbol,
    )


@register.simple_tag
def channel_name(channel) -> str:
    return format_html(
        '<span class="channel-name">{}<span>{}</span></span>', network_icon(channel.kind), channel.name
    )


@register.simple_tag
def theme_version() -> str:
    return theme.theme_version()
