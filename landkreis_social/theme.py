"""The county's primary colour as a small style sheet (``/theme.css``), derived from settings.

The Content-Security-Policy allows no inline styles, so the configurable colour cannot be written into
the page; the base template links this sheet after ``app.css`` instead. It only sets the colour tokens
that ``static/css/app.css`` reads (``--lk-primary`` and its darker shades). A system check refuses a
colour on which white text would be hard to read (WCAG 1.4.3: at least 4.5:1).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import checks
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

MIN_CONTRAST_WITH_WHITE = 4.5


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(part))):02x}" for part in rgb)


def darker(colour: str, amount: float) -> str:
    """``colour`` mixed with ``amount`` (0–1) of black."""
    return _hex(tuple(part * (1 - amount) for part in _rgb(colour)))


def lighter(colour: str, amount: float) -> str:
    """``colour`` mixed with ``amount`` (0–1) of white."""
    return _hex(tuple(part + (255 - part) * amount for part in _rgb(colour)))


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(part) for part in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def theme_css(primary: str) -> str:
    red, green, blue = _rgb(primary)
    return (
        ":root {\n"
        f"  --lk-primary: {primary};\n"
        f"  --lk-primary-rgb: {red}, {green}, {blue};\n"
        f"  --lk-primary-dark: {darker(primary, 0.25)};\n"
        f"  --lk-primary-darker: {darker(primary, 0.45)};\n"
        f"  --lk-primary-tint: {lighter(primary, 0.9)};\n"
        "}\n"
    )


def theme_version() -> str:
    """Part of the sheet's URL, so a changed colour is fetched at once despite the long cache time."""
    return hashlib.sha256(settings.COUNTY_PRIMARY_COLOR.encode()).hexdigest()[:10]


@require_GET
@cache_control(public=True, max_age=86400)
def theme_view(request):
    return HttpResponse(theme_css(settings.COUNTY_PRIMARY_COLOR), content_type="text/css; charset=utf-8")


@checks.register(checks.Tags.compatibility)
def check_primary_colour(app_configs=None, **kwargs):
    ratio = contrast_with_white(settings.COUNTY_PRIMARY_COLOR)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        return [
            checks.Error(
                f"LANDKREIS_PRIMARY_COLOR {settings.COUNTY_PRIMARY_COLOR} has a contrast of only "
                f"{ratio:.1f}:1 with white text; buttons and the top bar need at least 4.5:1.",
                hint="Choose a darker colour.",
                id="landkreis_social.E001",
            )
        ]
    return []
