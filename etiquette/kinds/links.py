"""Links: to trusted domains, no URL shorteners, and the information also on the county's own site."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..text import Doc, host_matches, link_host
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import IntParam, StrListParam

DEFAULT_SHORTENERS = [
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "ow.ly",
    "goo.gl",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "t1p.de",
    "shorturl.at",
    "cutt.ly",
    "tiny.cc",
    "lnkd.in",
    "s.id",
    "rb.gy",
    "bl.ink",
]
_DOMAIN = r"[a-z0-9][a-z0-9.\-]*\.[a-z]{2,}"


@register
class LinkDomainKind(TextRuleKind):
    kind = "links.domain"
    label = _("links outside the allowlist, URL shorteners")
    default_severity = Severity.WARN
    parameters = {"shorteners": StrListParam(DEFAULT_SHORTENERS, lower=True, pattern=_DOMAIN)}

    def setup(self):
        self.allowed = tuple(self.data.own_domains) + tuple(self.data.trusted_domains)
        self.shorteners = tuple(self.params["shorteners"])

    def judge(self, url: str, host: str, start=None, end=None):
        if not host:
            return None
        if host_matches(host, self.shorteners):
            return Hit(
                message=(
                    f"„{url}“ ist eine Kurz-URL: Niemand sieht, wohin sie führt, und der Dienst zählt mit. "
                    "Verlinken Sie die Zielseite direkt."
                ),
                message_en=f"“{url}” is a URL shortener: nobody sees where it leads. Link the page itself.",
                start=start,
                end=end,
            )
        if not host_matches(host, self.allowed):
            return Hit(
                message=(
                    f"Der Link führt zu „{host}“, das nicht auf der Positivliste steht. Verlinken Sie "
                    "möglichst eigene Seiten oder vertrauenswürdige Behörden."
                ),
                message_en=f"The link leads to “{host}”, which is not on the allowlist.",
                start=start,
                end=end,
            )
        return None

    def find(self, doc, ctx):
        for link in doc.links:
            hit = self.judge(link.value, link.host, link.start, link.end)
            if hit:
                yield hit

    def run(self, post, main, variants, ctx):
        yield from super().run(post, main, variants, ctx)
        link = post.link.strip()
        if link and not any(found.value == link for found in main.links):
            hit = self.judge(link, link_host(link))
            if hit:
                yield self.finding(hit, None, False)


@register
class OwnDomainKind(TextRuleKind):
    kind = "links.own_domain"
    label = _("longer post without a link to the county's own website")
    default_severity = Severity.INFO
    parameters = {"min_length": IntParam(200, min_value=0, max_value=100_000)}

    def find(self, doc: Doc, ctx):
        if len(doc.text) <= self.params["min_length"]:
            return
        own = self.data.own_domains
        link = ctx.post.link.strip()
        if link and host_matches(link_host(link), own):
            return
        if any(host_matches(link.host, own) for link in doc.links):
            return
        yield Hit(
            message=(
                "Längere Beiträge sollten auf die eigene Internetseite des Landkreises verlinken: Die "
                "Information muss auch ohne Konto im sozialen Netzwerk erreichbar sein."
            ),
            message_en=(
                "Longer posts should link to the county's own website: the information must be "
                "available without an account on the network."
            ),
        )
