"""``personal_data``: phone numbers, e-mail addresses, IBANs, dates of birth, street addresses.

Official contacts of the county (allowlist, admin-edited) are not personal data and pass.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..text import normalise_phone
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import BoolParam

PHONE_RE = re.compile(r"(?<![\w+\-/])(?:\+|\(0|0)[\d \t/()\-–]{5,24}\d(?!\w|[.,]\d)")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
BIRTH_RE = re.compile(
    rf"(?:\b(?:geb\.|geboren(?:\s+am)?|Geburtsdatum:?|Geburtstag:?)|(?<![\w*])\*)\s*"
    rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})\b|\d{{1,2}}\.\s?(?:{_MONTHS})\s+\d{{4}}\b)",
    re.IGNORECASE,
)
_SUFFIXES = "straße|strasse|str\\.|weg|allee|platz|gasse|ring|damm|chaussee|ufer|stieg|pfad|kamp|wall|markt|twiete|graben|deich"
_STANDALONE = "Straße|Strasse|Str\\.|Weg|Allee|Platz|Ring|Damm|Chaussee|Ufer|Markt|Wall|Gasse"
# Written with "[ ]": the pattern below is verbose, where a plain space would be ignored.
_PREPOSITIONS = "|".join(
    p.replace(" ", "[ ]")
    for p in (
        "Am",
        "An der",
        "An den",
        "Auf der",
        "Auf dem",
        "Im",
        "In der",
        "In den",
        "Zum",
        "Zur",
        "Hinter der",
        "Hinter dem",
        "Unter den",
    )
)
STREET_RE = re.compile(
    rf"""(?x)
    (?<![\w\-])
    (?P<street>
        [A-ZÄÖÜ][\w\-]*?(?:{_SUFFIXES})
      | [A-ZÄÖÜ][\w\-]+[ ](?:{_STANDALONE})
      | (?:{_PREPOSITIONS})[ ][A-ZÄÖÜ][\w\-]+
    )
    [ ](?P<number>\d{{1,3}}(?:[ ]?[a-z])?)
    (?![\w.,:/]?\d|\w)
    """
)
# Words after a "house number" that show it is a quantity or a time, not an address.
_NOT_AN_ADDRESS_AFTER = re.compile(
    r"\s*(?:Uhr|Minuten|Min\.|Stunden|Std\.|Tage|Tagen|Wochen|Monate|Jahre|Jahren|km|m\b|Meter|Kilometer|"
    r"Euro|€|%|Prozent|Personen|Plätze|Plätzen|Mal|mal|x\b|Kinder|Teilnehmende|Tore|Punkte)",
    re.IGNORECASE,
)
_NOT_A_STREET_WORD = frozenset(
    [
        "jahr",
        "jahre",
        "monat",
        "woche",
        "tag",
        "wochenende",
        "morgen",
        "abend",
        "mittag",
        "nachmittag",
        "vormittag",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "januar",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
        "schuljahr",
        "haushaltsjahr",
        "kalenderjahr",
        "zeitraum",
        "alter",
        "bereich",
        "rahmen",
        "durchschnitt",
        "schnitt",
        "vergleich",
        "moment",
        "ergebnis",
    ]
)


# "Kreisstraße 12" is a road's number (K 12), not an address.
_ROAD_CLASSES = (
    "kreisstraße",
    "kreisstrasse",
    "landesstraße",
    "landesstrasse",
    "bundesstraße",
    "bundesstrasse",
    "staatsstraße",
    "gemeindestraße",
    "kreisstr.",
    "landesstr.",
    "bundesstr.",
)


def iban_is_valid(candidate: str) -> bool:
    """Length 15–34 and ISO 13616 mod-97 check (move the first four characters to the end, letters to
    numbers A=10 … Z=35, the remainder by 97 must be 1)."""
    iban = candidate.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or not iban.isalnum():
        return False
    if iban[:2] == "DE" and len(iban) != 22:
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def normalise_address(street: str, number: str) -> str:
    street = re.sub(r"\s+", " ", street.strip().lower())
    street = re.sub(r"(?:str\.|strasse)$", "straße", street)
    return f"{street} {number.replace(' ', '').lower()}"


@register
class PersonalDataKind(TextRuleKind):
    kind = "personal_data"
    label = _("phone numbers, e-mail addresses, IBANs, dates of birth, street addresses")
    default_severity = Severity.BLOCK
    parameters = {
        "phones": BoolParam(True),
        "emails": BoolParam(True),
        "ibans": BoolParam(True),
        "birth_dates": BoolParam(True),
        "addresses": BoolParam(True),
    }

    def _official_email(self, address: str) -> bool:
        address = address.lower()
        domain = address.rsplit("@", 1)[1]
        return address in self.data.emails or any(
            domain == allowed or domain.endswith("." + allowed) for allowed in self.data.email_domains
        )

    def _official_phone(self, number: str) -> bool:
        digits = normalise_phone(number)
        return any(digits.startswith(prefix) for prefix in self.data.phones)

    def find(self, doc, ctx):
        text = doc.text
        params = self.params
        taken: list[tuple[int, int]] = []  # spans already explained (IBAN-like numbers)

        if params["emails"]:
            for span in doc.emails:
                if not self._official_email(span.value):
                    yield Hit(
                        message=(
                            f"E-Mail-Adresse „{span.value}“: Persönliche Adressen gehören nicht in einen "
                            "Beitrag. Nennen Sie ein Funktionspostfach des Landkreises."
                        ),
                        message_en=f"E-mail address “{span.value}”: use an official mailbox of the county instead.",
                        start=span.start,
                        end=span.end,
                    )

        for m in IBAN_RE.finditer(text):
            taken.append((m.start(), m.end()))
            if not params["ibans"] or doc.in_protected(m.start(), m.end()):
                continue
            value = m.group()
            compact = value.replace(" ", "").upper()
            if iban_is_valid(compact) and compact not in self.data.ibans:
                yield Hit(
                    message=(
                        f"IBAN „{value}“: Bankverbindungen von Personen gehören nicht in einen Beitrag. "
                        "Konten des Landkreises trägt die Administration in die Positivliste ein."
                    ),
                    message_en=f"IBAN “{value}”: bank details of persons do not belong in a post.",
                    start=m.start(),
                    end=m.end(),
                )

        if params["phones"]:
            for m in PHONE_RE.finditer(text):
                start, end = m.start(), m.end()
                if text[start] == "(" and ")" not in m.group():
                    start += 1
                digits = re.sub(r"\D", "", m.group())
                if not 6 <= len(digits) <= 15:
                    continue
                if any(t_start < end and t_end > start for t_start, t_end in taken):
                    continue
                if doc.in_protected(start, end) or self._official_phone(m.group()):
                    continue
                value = text[start:end]
                yield Hit(
                    message=(
                        f"Telefonnummer „{value}“: Private oder persönliche Durchwahlen gehören nicht in "
                        "einen Beitrag. Offizielle Rufnummern des Landkreises stehen in der Positivliste."
                    ),
                    message_en=f"Phone number “{value}”: personal numbers do not belong in a post.",
                    start=start,
                    end=end,
                )

        if params["birth_dates"] and ("*" in text or "geb" in doc.lower):
            for m in BIRTH_RE.finditer(text):
                yield Hit(
                    message=f"Geburtsdatum „{m.group()}“: Geburtsdaten sind personenbezogene Daten (DSGVO).",
                    message_en=f"Date of birth “{m.group()}”: dates of birth are personal data.",
                    start=m.start(),
                    end=m.end(),
                )

        if params["addresses"]:
            for m in STREET_RE.finditer(doc.prose):
                street, number = m.group("street"), m.group("number")
                last_word = street.split()[-1].lower()
                if (
                    last_word in _NOT_A_STREET_WORD
                    or last_word in _ROAD_CLASSES
                    or _NOT_AN_ADDRESS_AFTER.match(text, m.end())
                ):
                    continue
                if normalise_address(street, number) in self.data.addresses:
                    continue
                yield Hit(
                    message=(
                        f"Anschrift „{m.group()}“: Straße und Hausnummer können eine Person erkennbar "
                        "machen. Dienstgebäude des Landkreises stehen in der Positivliste."
                    ),
                    message_en=f"Street address “{m.group()}”: street and house number can identify a person.",
                    start=m.start(),
                    end=m.end(),
                )
