"""Neutrality of a public body (Neutralitätsgebot, BVerfGE 44, 125): no party names in the run-up to
an election, no campaign language. Findings route the post to the press office."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from ..terms import TermLike, TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import SeverityParam

BERLIN = ZoneInfo("Europe/Berlin")
# Appeals to vote for someone; a name must follow within APPEAL_REACH characters in the same sentence.
APPEAL_RE = re.compile(
    r"(?<!\w)(?:w[äa]hlen\s+Sie|w[äa]hlt|geben\s+Sie\s+(?:Ihre|Ihrer)\s+Stimmen?|gebt\s+(?:eure|eurer)\s+Stimmen?"
    r"|Ihre\s+Stimmen?|eure\s+Stimmen?|Ihr\s+Kreuz(?:chen)?|euer\s+Kreuz(?:chen)?|stimmen\s+Sie\s+f[üu]r"
    r"|stimmt\s+f[üu]r|unterst[üu]tzen\s+Sie)(?!\w)",
    re.IGNORECASE,
)
APPEAL_REACH = 60
SENTENCE_END_RE = re.compile(r"[.!?;\n]\s|[.!?;]$|\n")


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
        # Party and candidate names (the election window's list), also with a small first letter as
        # they stand inside a sentence ("wählen Sie die Grünen" for "Die Grünen").
        names = []
        for term in self.data.term_list(ElectionWindowKind.term_list):
            names.append(TermLike(term.term, case_sensitive=term.case_sensitive))
            if term.term[:1].isupper():
                names.append(TermLike(term.term[0].lower() + term.term[1:], case_sensitive=True))
        self.names = TermMatcher(names)

    def find(self, doc, ctx):
        hits = []
        if self.matcher:
            hits = [(start, end) for start, end, _term in self.matcher.finditer(doc.prose, doc.word_index)]
        hits += self._appeals_for_a_name(doc, hits)
        for start, end in sorted(hits):
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

    def _appeals_for_a_name(self, doc, taken) -> list[tuple[int, int]]:
        """An appeal to vote ("wählen Sie", "Ihre Stimme", "Ihr Kreuz für", "stimmen Sie für") followed
        in the same sentence, within a few words, by a party or candidate name: campaigning at any time,
        not only in an election window (issue 14). "Wählen Sie die 112" or "Nutzen Sie Ihr Wahlrecht"
        name no party."""
        if not self.names:
            return []
        names = sorted((start, end) for start, end, _term in self.names.finditer(doc.prose, doc.word_index))
        if not names:
            return []
        found = []
        for appeal in APPEAL_RE.finditer(doc.prose):
            rest = SENTENCE_END_RE.search(doc.prose, appeal.end())
            limit = min(appeal.end() + APPEAL_REACH, rest.start() if rest else len(doc.prose))
            name = next(((s, e) for s, e in names if appeal.end() <= s < limit), None)
            if name is None:
                continue
            span = (appeal.start(), name[1])
            if not any(s < span[1] and span[0] < e for s, e in taken + found):
                found.append(span)
        return found
