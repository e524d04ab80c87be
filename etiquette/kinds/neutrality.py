"""Neutrality of a public body (Neutralitätsgebot, BVerfGE 44, 125): no party names in the run-up to
an election, no campaign language. Findings route the post to the press office."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from ..terms import TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import SeverityParam

BERLIN = ZoneInfo("Europe/Berlin")


@register
class ElectionWindowKind(TextRuleKind):
    kind = "neutrality.election_window"
    label = _("party or candidate names while an election window is open")
    default_severity = Severity.BLOCK
    routes_to_press = True
    term_list = "party"
    parameters = {
        "outside_severity": SeverityParam(
            "info", help_text=_("Severity of party names outside every election window (“off”: say nothing).")
        )
    }

    def setup(self):
        self.matcher = TermMatcher(self.data.term_list(self.term_list))

    def open_election(self, ctx):
        day = ctx.when.astimezone(BERLIN).date()
        for election in sorted(self.data.elections, key=lambda e: e.date):
            if election.date - timedelta(days=election.window_days) <= day <= election.date:
                return election
        return None

    def find(self, doc, ctx):
        if not self.matcher:
            return
        election = None
        checked = False
        outside = Severity(self.params["outside_severity"])
        for start, end, _term in self.matcher.finditer(doc.prose, doc.word_index):
            if not checked:
                election, checked = self.open_election(ctx), True
                if election is None and outside == Severity.OFF:
                    return
            found = doc.text[start:end]
            if election is not None:
                yield Hit(
                    message=(
                        f"„{found}“: Vor der {election.name} am {election.date:%d.%m.%Y} gilt das "
                        "Neutralitätsgebot – keine Namen von Parteien oder Kandidierenden. Die "
                        "Pressestelle prüft den Beitrag."
                    ),
                    message_en=(
                        f"“{found}”: before the election “{election.name}” on {election.date:%Y-%m-%d} "
                        "public bodies stay neutral – no party or candidate names. The press office reviews."
                    ),
                    start=start,
                    end=end,
                )
            else:
                yield Hit(
                    message=(
                        f"„{found}“ ist ein Partei- oder Kandidatenname. Außerhalb von Wahlzeiten erlaubt, "
                        "aber bleiben Sie neutral."
                    ),
                    message_en=f"“{found}” names a party or candidate. Allowed outside election periods; stay neutral.",
                    start=start,
                    end=end,
                    severity=outside,
                    routes_to_press=False,
                )


@register
class CampaignLanguageKind(TextRuleKind):
    kind = "neutrality.campaign_language"
    label = _("campaign language (admin-edited list)")
    default_severity = Severity.BLOCK
    routes_to_press = True
    term_list = "campaign"

    def setup(self):
        self.matcher = TermMatcher(self.data.term_list(self.term_list))

    def find(self, doc, ctx):
        if not self.matcher:
            return
        for start, end, _term in self.matcher.finditer(doc.prose, doc.word_index):
            found = doc.text[start:end]
            yield Hit(
                message=(
                    f"„{found}“ ist Wahlkampfsprache. Der Landkreis wirbt nicht für Parteien oder "
                    "Personen (Neutralitätsgebot). Die Pressestelle prüft den Beitrag."
                ),
                message_en=f"“{found}” is campaign language; the county does not campaign. The press office reviews.",
                start=start,
                end=end,
            )
