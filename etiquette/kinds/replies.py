"""Rules for the county's replies to citizens (``PostLike.reply_to`` is the citizen's text).

- ``reply.personal_data``: a public reply must not repeat personal data the citizen wrote – phone
  numbers, e-mail and street addresses, IBANs, dates of birth (found by the ``personal_data`` kind),
  file numbers (Aktenzeichen) and vehicle registration numbers.
- ``reply.individual_case``: a question about one person's own case (their application, notice, file)
  is not discussed in public: the reply moves it to a direct message or an official contact.

Both run only on public replies; a direct message may talk about the case.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..terms import TermLike, TermMatcher
from ..text import Doc, host_matches, normalise_phone
from ..types import Severity
from . import register
from .base import CheckContext, Hit, RuleConfig, TextRuleKind
from .params import BoolParam, StrListParam
from .personal_data import PHONE_RE, PersonalDataKind

# "Az. 123/45-2026", "Aktenzeichen: ROW-2026-00123"
FILE_NUMBER_RE = re.compile(
    r"(?:\bAz\.?|\bAktenzeichen|\bGeschäftszeichen|\bVorgangsnummer|\bKundennummer)\s*:?\s*"
    r"(?P<value>[A-Z0-9ÄÖÜ][A-Z0-9ÄÖÜ./\-]{2,30}[A-Z0-9])",
    re.IGNORECASE,
)
# German registration plates: "ROW-AB 123", "ROW AB 1234E", "HB-X 12"
PLATE_RE = re.compile(r"(?<![\w\-])[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2} ?\d{1,4}[EH]?(?!\w)")

DEFAULT_CASE_CUES = [
    "mein Antrag",
    "meinen Antrag",
    "meinem Antrag",
    "mein Bescheid",
    "meinen Bescheid",
    "meine Akte",
    "mein Fall",
    "meinem Fall",
    "mein Verfahren",
    "meine Sachbearbeiter*",
    "mein Sachbearbeiter",
    "meinen Sachbearbeiter",
    "mein Widerspruch",
    "meinen Widerspruch",
    "mein Kind",
    "meine Tochter",
    "mein Sohn",
    "Aktenzeichen",
    "Az.",
    "Kundennummer",
]
DEFAULT_REPLY_CUES = [
    "Ihr Antrag",
    "Ihren Antrag",
    "Ihrem Antrag",
    "Ihr Bescheid",
    "Ihren Bescheid",
    "Ihre Akte",
    "Ihr Fall",
    "Ihrem Fall",
    "Ihr Verfahren",
    "Ihr Widerspruch",
    "Ihren Widerspruch",
]
DEFAULT_REFERRAL_CUES = [
    "Direktnachricht",
    "Privatnachricht",
    "private Nachricht",
    "persönliche Nachricht",
    "per Nachricht",
    "PN",
    "DM",
    "schreiben Sie uns",
    "schicken Sie uns",
    "rufen Sie",
    "melden Sie sich",
    "wenden Sie sich",
    "Kontaktformular",
    "Bürgerservice",
    "Servicetelefon",
]


_SEPARATORS = r"[\s/\-().]*"


def _loose_pattern(value: str) -> str | None:
    """A pattern that finds ``value`` however it is spaced or punctuated ("0171 2345678" also as
    "0171 / 234 56 78"), ignoring case."""
    chars = [re.escape(ch) for ch in value if ch.isalnum()]
    if len(chars) < 4:
        return None
    return r"(?<!\w)" + _SEPARATORS.join(chars) + r"(?!\w)"


@register
class ReplyPersonalDataKind(TextRuleKind):
    kind = "reply.personal_data"
    label = _("public reply repeats the citizen's personal data")
    default_severity = Severity.BLOCK
    parameters = {
        "file_numbers": BoolParam(True, help_text=_("Also file numbers (Aktenzeichen, Kundennummer).")),
        "plates": BoolParam(True, help_text=_("Also vehicle registration numbers.")),
    }

    def setup(self):
        # The personal_data kind with every detector on, but official contacts (allowlist) pass.
        self.detector = PersonalDataKind(
            RuleConfig(
                code=self.config.code,
                kind=PersonalDataKind.kind,
                severity=self.config.severity,
                parameters=PersonalDataKind.default_parameters(),
            ),
            self.data,
        )

    def _details(self, text: str, ctx: CheckContext) -> set[str]:
        """The personal details in the citizen's ``text``, as written."""
        doc = Doc(text)
        found = {text[hit.start : hit.end] for hit in self.detector.find(doc, ctx) if hit.start is not None}
        if self.params["file_numbers"]:
            found.update(m.group("value") for m in FILE_NUMBER_RE.finditer(text))
        if self.params["plates"]:
            found.update(m.group() for m in PLATE_RE.finditer(text))
        return found

    def run(self, post, main, variants, ctx):
        if not post.is_public_reply:
            return
        yield from super().run(post, main, variants, ctx)

    def find(self, doc, ctx):
        patterns = [p for p in map(_loose_pattern, self._details(ctx.post.reply_to, ctx)) if p]
        if not patterns:
            return
        for m in re.finditer("|".join(f"(?:{p})" for p in patterns), doc.text, re.IGNORECASE):
            found = m.group()
            yield Hit(
                message=(
                    f"„{found}“ steht in der Nachricht der Person, der Sie antworten. Wiederholen Sie "
                    "persönliche Angaben nicht öffentlich – klären Sie den Einzelfall per "
                    "Direktnachricht oder über einen offiziellen Kontakt."
                ),
                message_en=(
                    f"“{found}” is in the message you are answering. Do not repeat personal details "
                    "in public; use a direct message or an official contact."
                ),
                start=m.start(),
                end=m.end(),
            )


@register
class ReplyIndividualCaseKind(TextRuleKind):
    kind = "reply.individual_case"
    label = _("individual case answered in public instead of by direct message or official contact")
    default_severity = Severity.WARN
    parameters = {
        "case_cues": StrListParam(
            DEFAULT_CASE_CUES, help_text=_("Words in the citizen's text that show their own case.")
        ),
        "reply_cues": StrListParam(
            DEFAULT_REPLY_CUES, help_text=_("Words in the reply that discuss the citizen's own case.")
        ),
        "referral_cues": StrListParam(
            DEFAULT_REFERRAL_CUES,
            help_text=_("Words in the reply that move the case to a private or official channel."),
        ),
    }

    def setup(self):
        def matcher(name):
            return TermMatcher(TermLike(term) for term in self.params[name])

        self.case_cues = matcher("case_cues")
        self.reply_cues = matcher("reply_cues")
        self.referral_cues = matcher("referral_cues")
        self.own_phones = tuple(self.data.phones)

    def run(self, post, main, variants, ctx):
        if not post.is_public_reply:
            return
        yield from super().run(post, main, variants, ctx)

    def _refers_elsewhere(self, doc: Doc) -> bool:
        if next(iter(self.referral_cues.finditer(doc.prose, doc.word_index)), None) is not None:
            return True
        if any(host_matches(link.host, self.data.own_domains) for link in doc.links):
            return True
        for span in doc.emails:
            address = span.value.lower()
            domain = address.rsplit("@", 1)[-1]
            if address in self.data.emails or any(
                domain == d or domain.endswith("." + d) for d in self.data.email_domains
            ):
                return True
        return (
            any(normalise_phone(m.group()).startswith(self.own_phones) for m in PHONE_RE.finditer(doc.text))
            if self.own_phones
            else False
        )

    def find(self, doc, ctx):
        citizen = Doc(ctx.post.reply_to)
        case_in_question = next(iter(self.case_cues.finditer(citizen.prose, citizen.word_index)), None)
        in_reply = list(self.reply_cues.finditer(doc.prose, doc.word_index))
        if not case_in_question and not in_reply:
            return
        if self._refers_elsewhere(doc):
            return
        start, end = (in_reply[0][0], in_reply[0][1]) if in_reply else (None, None)
        yield Hit(
            message=(
                "Das klingt nach einem Einzelfall. Besprechen Sie ihn nicht öffentlich: Bitten Sie um eine "
                "Direktnachricht oder nennen Sie einen offiziellen Kontakt (Funktionspostfach, "
                "Servicetelefon, Seite auf der Internetseite des Landkreises)."
            ),
            message_en=(
                "This looks like an individual case. Do not discuss it in public: ask for a direct "
                "message or name an official contact."
            ),
            start=start,
            end=end,
        )
