"""The incoming checks: a pure function marks insults (the admin-edited list), personal data (usually
a third person's) and link spam in what citizens write – the engine's kinds reused, nothing hidden."""

import time

import pytest

from etiquette import incoming, services
from etiquette.kinds.base import EtiquetteData, TermData
from etiquette.types import Severity

DATA = EtiquetteData(
    terms={"forbidden": (TermData("Idiot*"), TermData("Versager"))},
    own_domains=("lk-row.de",),
    email_domains=("lk-row.de",),
    phones=("04261983",),
)


def marks(text, data=DATA, **kwargs):
    return [
        (f.rule, text[f.start : f.end] if f.start is not None else None)
        for f in incoming.mark(text, data, **kwargs)
    ]


def test_insults_from_the_list_are_marked_where_they_stand():
    text = "Ihr seid doch alle Idioten und Versager im Amt."
    assert marks(text) == [("incoming.insult", "Idioten"), ("incoming.insult", "Versager")]
    assert all(f.severity == Severity.WARN for f in incoming.mark(text, DATA))


def test_third_persons_phone_numbers_and_addresses_are_marked_but_official_contacts_not():
    text = (
        "Der Nachbar (0171 9876543, Lindenweg 4) lässt den Hund frei laufen. Ich habe 04261 983-0 angerufen."
    )
    assert marks(text) == [
        ("incoming.personal_data", "0171 9876543"),
        ("incoming.personal_data", "Lindenweg 4"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Günstig hier: https://bit.ly/abc123", [("incoming.link_spam", "https://bit.ly/abc123")]),
        ("a https://a.example b https://b.example c https://c.example", [("incoming.link_spam", None)]),
        ("https://a.example und nochmal https://a.example", [("incoming.link_spam", None)]),
        (
            "Jetzt kaufen mit Rabattcode ROW10: https://shop.example",
            [("incoming.link_spam", "Jetzt kaufen"), ("incoming.link_spam", "Rabattcode")],
        ),
        ("Mehr dazu auf https://www.lk-row.de/wohngeld", []),
        ("Jetzt kaufen? Nein danke.", []),  # advertising language without a link is no link spam
    ],
)
def test_link_spam(text, expected):
    assert marks(text) == expected


def test_a_friendly_question_gets_no_mark():
    assert marks("Hat die Zulassungsstelle am Samstag geöffnet? Danke!") == []
    assert marks("") == [] and marks("   ") == []


def test_the_list_is_the_admins(db, admin_user):
    text = "Sie Schnarchnase!"
    assert not incoming.check_incoming(text)
    services.term_add(actor=admin_user, term_list="forbidden", term="Schnarchnase")
    assert [f.rule for f in incoming.check_incoming(text)] == ["incoming.insult"]


def test_is_pure_and_fast():
    text = "Ihr Idioten! Ruft 0171 9876543 an oder kauft hier https://bit.ly/x " * 5
    first = incoming.mark(text, DATA)
    start = time.perf_counter()
    for _ in range(200):
        assert incoming.mark(text, DATA) == first
    assert (time.perf_counter() - start) / 200 < 0.005  # well under 5 ms per item
