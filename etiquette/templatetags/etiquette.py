"""Template helpers for showing findings and the guide notice: ``{% load etiquette %}``."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from ..channels import channel_label as _channel_label
from ..highlight import highlight_text

register = template.Library()

SEVERITY_LABELS = {
    "block": (gettext_lazy("Blocks submission"), "danger"),
    "warn": (gettext_lazy("Warning"), "warning"),
    "info": (gettext_lazy("Note"), "info"),
    "off": (gettext_lazy("Off"), "secondary"),
}


@register.filter
def highlight_findings(text, findings):
    """``{{ text|highlight_findings:findings }}``: the main text with the findings marked."""
    return highlight_text(text or "", findings or ())


@register.filter
def any_blocking(findings) -> bool:
    return any(finding.blocking for finding in findings or ())


@register.filter
def severity_label(severity) -> str:
    return str(SEVERITY_LABELS.get(str(severity), SEVERITY_LABELS["info"])[0])


@register.filter
def severity_colour(severity) -> str:
    return SEVERITY_LABELS.get(str(severity), SEVERITY_LABELS["info"])[1]


@register.filter
def channel_label(kind) -> str:
    return _channel_label(kind)


@register.filter
def finding_message(finding) -> str:
    """The German message, or the English one when the page is in English."""
    if (get_language() or "de").startswith("en") and finding.message_en:
        return finding.message_en
    return finding.message


@register.filter
def finding_excerpt(finding, text) -> str:
    if finding.start is None or finding.end is None or finding.in_variant or not text:
        return ""
    excerpt = text[finding.start : finding.end]
    return excerpt if len(excerpt) <= 80 else excerpt[:77] + "…"


@register.simple_tag
def findings_summary(findings) -> str:
    counts = {"block": 0, "warn": 0, "info": 0}
    for finding in findings or ():
        counts[str(finding.severity)] = counts.get(str(finding.severity), 0) + 1
    if not any(counts.values()):
        return _("No findings: the text follows the etiquette as far as it can be checked automatically.")
    parts = []
    if counts["block"]:
        parts.append(
            ngettext("%(n)d blocking finding", "%(n)d blocking findings", counts["block"])
            % {"n": counts["block"]}
        )
    if counts["warn"]:
        parts.append(ngettext("%(n)d warning", "%(n)d warnings", counts["warn"]) % {"n": counts["warn"]})
    if counts["info"]:
        parts.append(ngettext("%(n)d note", "%(n)d notes", counts["info"]) % {"n": counts["info"]})
    return ", ".join(parts)


@register.inclusion_tag("etiquette/_guide_notice.html", takes_context=True)
def guide_notice(context):
    """A notice for the home page when the user has not acknowledged the current guide."""
    from ..selectors import current_guide, has_acknowledged_current_guide

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or has_acknowledged_current_guide(user):
        return {"show": False}
    return {"show": True, "guide": current_guide()}
