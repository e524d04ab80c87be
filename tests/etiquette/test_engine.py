"""The engine: sorting, variants, networks, severity, resilience, and following admin changes at once."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from etiquette import engine, services
from etiquette.kinds.tone import ShoutingKind
from etiquette.models import Rule, RuleSetState
from etiquette.types import Finding, Severity

from .conftest import of_rule, post

MESSY = (
    "ACHTUNG!! Das Kreishaus ist HEUTE zu. Fragen an 0171 1234567 oder bit.ly/xyz. "
    "#kreishausrotenburgheute 🎉🎉🎉 Gemäß Satzung."
)


def test_findings_are_sorted_by_position_and_deterministic(check):
    first = check(MESSY, channels=("x", "mastodon"))
    again = check(MESSY, channels=("mastodon", "x"))
    assert first == sorted(first, key=Finding.sort_key)
    assert first == again
    positioned = [f.start for f in first if f.start is not None]
    assert positioned == sorted(positioned)
    assert [f.rule for f in first if f.start is None] == sorted(f.rule for f in first if f.start is None)


def test_a_networks_own_variant_is_checked_with_its_own_offsets(check):
    main = "Das Kreishaus ist am Montag geschlossen."
    variant = "Kurz: Das Kreishaus ist HEUTE und MORGEN zu."
    findings = check(main, channels=("x", "facebook"), variants={"x": variant})
    shouting = of_rule(findings, "tone.shouting")
    assert [(f.channel, f.in_variant, variant[f.start : f.end]) for f in shouting] == [
        ("x", True, "HEUTE"),
        ("x", True, "MORGEN"),
    ]
    # The same text as variant is no variant: findings stay on the main text, for every network.
    same = check(variant, channels=("x", "facebook"), variants={"x": variant})
    assert {(f.channel, f.in_variant) for f in of_rule(same, "tone.shouting")} == {(None, False)}


def test_a_rule_limited_to_networks_only_speaks_for_them(check, rule_update):
    rule_update("tone.shouting", channels=["x"])
    text = "HEUTE und MORGEN geschlossen."
    assert {f.channel for f in of_rule(check(text, channels=("x", "facebook")), "tone.shouting")} == {"x"}
    assert of_rule(check(text, channels=("facebook",)), "tone.shouting") == []
    assert of_rule(check(text), "tone.shouting") == []


def test_switched_off_or_inactive_rules_say_nothing(check, rule_update):
    assert of_rule(check(MESSY), "tone.shouting")
    rule_update("tone.shouting", severity="off")
    assert of_rule(check(MESSY), "tone.shouting") == []
    rule_update("tone.shouting", severity="warn", active=False)
    assert of_rule(check(MESSY), "tone.shouting") == []


def test_an_admin_severity_change_is_followed_by_the_next_check(check):
    assert {f.severity for f in of_rule(check(MESSY), "tone.shouting")} == {Severity.WARN}
    services.rule_set_severity(actor=None, rule=Rule.objects.get(code="tone.shouting"), severity="block")
    assert {f.severity for f in of_rule(check(MESSY), "tone.shouting")} == {Severity.BLOCK}


def test_the_rule_set_is_kept_in_memory_until_something_changes(db, django_assert_num_queries):
    first = engine.current_ruleset()
    with django_assert_num_queries(1):  # only the token is read
        assert engine.current_ruleset() is first
    with django_assert_num_queries(1):
        engine.check(post(MESSY, channels=("x",)))
    token = RuleSetState.objects.get().token
    services.term_add(actor=None, term_list="forbidden", term="Schnarchnase")
    assert RuleSetState.objects.get().token != token
    assert engine.current_ruleset() is not first
    assert of_rule(engine.check(post("Du Schnarchnase!")), "tone.forbidden_terms")


def test_a_failing_rule_becomes_a_warning_instead_of_an_error(check, monkeypatch, caplog):
    def broken(self, doc, ctx):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(ShoutingKind, "find", broken)
    engine.forget_ruleset()
    with caplog.at_level(logging.ERROR, logger="etiquette.engine"):
        findings = check("Ein ganz normaler Satz mit 0171 1234567.")
    failed = of_rule(findings, "tone.shouting")
    assert [(f.severity, f.start) for f in failed] == [(Severity.WARN, None)]
    assert "internen Fehlers" in failed[0].message
    assert of_rule(findings, "personal_data"), "the other rules still ran"
    assert "rule tone.shouting failed" in caplog.text


def test_a_rule_that_cannot_be_set_up_is_reported_with_every_check(check, monkeypatch, caplog):
    from etiquette.kinds.tone import ForbiddenTermsKind

    def broken_setup(self):
        raise ValueError("kaputte Liste")

    monkeypatch.setattr(ForbiddenTermsKind, "setup", broken_setup)
    engine.forget_ruleset()
    with caplog.at_level(logging.ERROR, logger="etiquette.engine"):
        findings = check("Ein ganz normaler Satz.")
    assert [(f.rule, f.severity) for f in findings] == [("tone.forbidden_terms", Severity.WARN)]
    assert "tone.forbidden_terms (tone.forbidden_terms) could not be set up" in caplog.text


def test_bad_parameters_stored_behind_the_services_back_fall_back_to_the_defaults(check, caplog):
    Rule.objects.filter(code="emoji.count").update(parameters={"max": "viele"})
    services.ruleset_touch()
    with caplog.at_level(logging.ERROR, logger="etiquette.engine"):
        findings = check("Sommerfest 🎉 mit Ballons 🎈, Konfetti 🎊 und Party 🥳")
    assert len(of_rule(findings, "emoji.count")) == 1  # default max 3
    assert "emoji.count has bad parameters" in caplog.text


def test_naive_planned_times_are_read_as_berlin_time(check):
    from datetime import datetime

    findings = check("Text", scheduled_at=datetime(2027, 3, 3, 20, 0))  # naive on purpose
    assert "20:00 Uhr" in of_rule(findings, "schedule.staffed_hours")[0].message


def test_findings_as_json(check):
    (finding,) = of_rule(check("Rufen Sie 0171 1234567 an."), "personal_data")
    data = finding.as_dict()
    assert data == {
        "rule": "personal_data",
        "severity": "block",
        "channel": None,
        "message": finding.message,
        "message_en": finding.message_en,
        "start": 10,
        "end": 22,
        "in_variant": False,
        "routes_to_press": False,
        "media_index": None,
        "suggestion": "",
    }
    json.dumps(data)


CHECKER = r"""
import json, sys
import django
django.setup()
from etiquette.engine import check
from etiquette.types import PostLike
for line in sys.stdin:
    findings = check(PostLike(text=line.strip()))
    print(json.dumps(sorted({f"{f.rule}:{f.severity}" for f in findings})), flush=True)
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_follows_an_admin_change_on_its_next_check(committed_default_rules):
    """A second, long-running process (like a web or worker process) keeps its rules in memory and still
    follows a severity change and a new forbidden term made here, on its very next check."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "landkreis_social.settings_test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHECKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(settings.BASE_DIR),
    )

    def ask(text: str) -> list[str]:
        proc.stdin.write(text + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        return json.loads(line)

    try:
        text = "HEUTE und MORGEN ist das Amt zu, ihr Schnarchnasen."
        assert ask(text) == ["tone.shouting:warn"]
        assert ask(text) == ["tone.shouting:warn"]  # now from its memory
        services.rule_set_severity(actor=None, rule=Rule.objects.get(code="tone.shouting"), severity="block")
        assert ask(text) == ["tone.shouting:block"]
        services.term_add(actor=None, term_list="forbidden", term="Schnarchnase*")
        assert ask(text) == ["tone.forbidden_terms:block", "tone.shouting:block"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
