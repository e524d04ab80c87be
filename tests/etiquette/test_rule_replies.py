"""The reply rules: a public reply does not repeat the citizen's personal data
(``reply.personal_data``) and moves individual cases to a direct message or an official contact
(``reply.individual_case``). Both run only on public replies."""

import pytest

from etiquette.models import Rule
from etiquette.types import Severity

from .conftest import CLEAN_POSTS, marked, of_rule

QUESTION = (
    "Hallo, mein Antrag auf Wohngeld liegt seit März bei Ihnen, Aktenzeichen WG-2026/0815. "
    "Erreichbar bin ich unter 0171 2345678, Lindenweg 4 in Sottrum. Mein Auto ROW-AB 123 steht auch noch falsch."
)


def test_both_rules_are_installed_by_the_migration(db):
    rules = {rule.code: rule for rule in Rule.objects.filter(code__startswith="reply.")}
    assert rules["reply.personal_data"].severity == "block"
    assert rules["reply.individual_case"].severity == "warn"


@pytest.mark.parametrize(
    ("reply", "passage"),
    [
        (
            "Wir rufen Sie unter 0171 / 234 56 78 zurück, bitte schicken Sie uns eine Direktnachricht.",
            "0171 / 234 56 78",
        ),
        (
            "Das Verfahren WG-2026/0815 ist in Arbeit. Schreiben Sie uns gern eine Direktnachricht.",
            "WG-2026/0815",
        ),
        ("Zum Lindenweg 4 kommt morgen jemand. Details per Direktnachricht.", "Lindenweg 4"),
        ("Zum Fahrzeug ROW-AB 123 bitte eine Direktnachricht an uns.", "ROW-AB 123"),
    ],
)
def test_repeating_the_citizens_details_in_public_is_blocked_at_the_place(check, reply, passage):
    findings = check(reply, reply_to=QUESTION)
    assert marked(findings, "reply.personal_data", reply) == [passage]
    assert of_rule(findings, "reply.personal_data")[0].severity == Severity.BLOCK


def test_the_same_text_as_a_direct_message_or_as_a_post_is_fine(check):
    reply = "Wir rufen Sie unter 0171 2345678 zurück, es geht um WG-2026/0815."
    assert not of_rule(check(reply, reply_to=QUESTION, direct=True), "reply.personal_data")
    assert not of_rule(check(reply), "reply.personal_data")  # not a reply: the rule does not apply


def test_details_the_citizen_did_not_write_are_left_to_the_other_rules(check):
    reply = "Bitte wenden Sie sich an unser Servicetelefon 04261 983-2345 oder schreiben Sie uns."
    findings = check(reply, reply_to=QUESTION)
    assert not of_rule(findings, "reply.personal_data")
    assert not of_rule(findings, "personal_data")  # the county's own number is on the allowlist


def test_an_individual_case_answered_in_public_is_a_warning(check):
    reply = "Ihr Antrag ist vollständig und wird nächste Woche entschieden."
    findings = of_rule(check(reply, reply_to=QUESTION), "reply.individual_case")
    assert len(findings) == 1 and findings[0].severity == Severity.WARN
    assert reply[findings[0].start : findings[0].end] == "Ihr Antrag"


@pytest.mark.parametrize(
    "reply",
    [
        "Das schauen wir uns gern an. Bitte schicken Sie uns dazu eine Direktnachricht.",
        "Bitte wenden Sie sich an wohngeld@lk-row.de, dort hilft man Ihnen weiter.",
        "Rufen Sie uns gern an: 04261 983-0.",
        "Alle Informationen finden Sie auf https://www.lk-row.de/wohngeld",
    ],
)
def test_moving_the_case_to_a_private_or_official_channel_passes(check, reply):
    assert not of_rule(check(reply, reply_to=QUESTION), "reply.individual_case")


def test_a_general_question_needs_no_referral(check):
    general = "Wann hat die Zulassungsstelle am Samstag geöffnet?"
    reply = "Samstags ist die Zulassungsstelle geschlossen, montags öffnet sie um 8 Uhr."
    assert not of_rule(check(reply, reply_to=general), "reply.individual_case")


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_the_reply_rules_never_touch_posts(check, text):
    findings = check(text, channels=("facebook",))
    assert not [f for f in findings if f.rule.startswith("reply.")]


def test_reply_rules_can_be_switched_off(check, rule_update):
    rule_update("reply.personal_data", severity="off")
    rule_update("reply.individual_case", severity="off")
    findings = check("Ihr Antrag WG-2026/0815 ist da.", reply_to=QUESTION)
    assert not [f for f in findings if f.rule.startswith("reply.")]


def test_a_text_only_reply_on_instagram_needs_no_image(check):
    assert of_rule(check("Danke!", channels=("instagram",)), "media.required")
    assert not of_rule(check("Danke!", channels=("instagram",), reply_to=QUESTION), "media.required")
