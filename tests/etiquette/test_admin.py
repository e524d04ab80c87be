"""The admin: rules and term lists are edited through the services (audited, followed at once);
bad parameters are a form error, never a server error."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from etiquette.models import AllowlistEntry, GuideVersion, Rule, Term
from etiquette.types import Severity

from .conftest import of_rule


def rule_form(rule: Rule, **changes) -> dict:
    data = {
        "severity": rule.severity,
        "active": "on" if rule.active else "",
        "channels": rule.channels,
        "parameters": json.dumps(rule.parameters),
        "description": rule.description,
        "position": rule.position,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_severity_change_in_the_admin_is_audited_and_followed_by_the_next_check(
    admin_client, admin_user, check
):
    text = "HEUTE und MORGEN geschlossen."
    assert {f.severity for f in of_rule(check(text), "tone.shouting")} == {Severity.WARN}
    rule = Rule.objects.get(code="tone.shouting")
    response = admin_client.post(
        reverse("admin:etiquette_rule_change", args=[rule.pk]), rule_form(rule, severity="block")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert {f.severity for f in of_rule(check(text), "tone.shouting")} == {Severity.BLOCK}
    event = AuditEvent.objects.get(verb="rule.changed")
    assert (event.actor, event.before, event.after) == (
        admin_user,
        {"severity": "warn"},
        {"severity": "block"},
    )
    assert event.object_repr == "tone.shouting"


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ('{"max": "drei"}', "Parameter „max“: muss eine ganze Zahl sein."),
        ('{"max": -1}', "Parameter „max“: muss zwischen 0 und 100 liegen."),
        ('{"maximum": 3}', "Unbekannte(r) Parameter maximum"),
        ("[1, 2]", "Die Parameter müssen ein JSON-Objekt sein"),
        ("{kein json", "JSON"),
    ],
)
def test_bad_parameters_are_a_form_error_next_to_the_field(admin_client, parameters, message):
    rule = Rule.objects.get(code="emoji.count")
    before = rule.parameters
    response = admin_client.post(
        reverse("admin:etiquette_rule_change", args=[rule.pk]), rule_form(rule, parameters=parameters)
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split('id="id_parameters_error"', 1)[1] if 'id="id_parameters_error"' in html else html
    assert message in errors
    assert parameters.replace('"', "&quot;") in html  # what was typed is kept
    rule.refresh_from_db()
    assert rule.parameters == before
    assert not AuditEvent.objects.filter(verb="rule.changed").exists()


def test_length_limits_must_name_known_networks(admin_client):
    rule = Rule.objects.get(code="length")
    response = admin_client.post(
        reverse("admin:etiquette_rule_change", args=[rule.pk]),
        rule_form(rule, parameters='{"limits": {"myspace": 100}}'),
    )
    assert response.status_code == 200
    assert "unbekanntes Netzwerk „myspace“" in response.content.decode()


def test_staffed_hours_reject_an_unknown_time_zone_and_holiday_region(admin_client):
    rule = Rule.objects.get(code="schedule.staffed_hours")
    params = dict(rule.parameters, timezone="Europe/Rotenburg", holiday_subdiv="XX")
    html = admin_client.post(
        reverse("admin:etiquette_rule_change", args=[rule.pk]), rule_form(rule, parameters=json.dumps(params))
    ).content.decode()
    assert "unbekannte Zeitzone „Europe/Rotenburg“" in html and "DE-XX" in html


def test_rules_cannot_be_deleted_only_switched_off(admin_client):
    rule = Rule.objects.get(code="commercial")
    assert admin_client.get(reverse("admin:etiquette_rule_delete", args=[rule.pk])).status_code == 403


def test_a_term_added_in_the_admin_is_audited_and_checked_at_once(admin_client, check):
    text = "Diese Schnarchnasen!"
    assert of_rule(check(text), "tone.forbidden_terms") == []
    response = admin_client.post(
        reverse("admin:etiquette_term_add"),
        {"term_list": "forbidden", "term": "Schnarchnase*", "active": "on"},
    )
    assert response.status_code == 302
    assert len(of_rule(check(text), "tone.forbidden_terms")) == 1
    assert AuditEvent.objects.filter(verb="term.added", object_repr__startswith="Schnarchnase*").exists()
    term = Term.objects.get(term="Schnarchnase*")
    admin_client.post(reverse("admin:etiquette_term_delete", args=[term.pk]), {"post": "yes"})
    assert of_rule(check(text), "tone.forbidden_terms") == []
    assert AuditEvent.objects.filter(verb="term.removed").exists()


def test_allowlist_values_are_validated_and_normalised(admin_client):
    response = admin_client.post(
        reverse("admin:etiquette_allowlistentry_add"), {"kind": "iban", "value": "DE12 3456", "active": "on"}
    )
    assert "Das ist keine gültige IBAN" in response.content.decode()
    response = admin_client.post(
        reverse("admin:etiquette_allowlistentry_add"),
        {"kind": "domain", "value": "https://www.Rotenburg-Wuemme.de/rathaus", "active": "on"},
    )
    assert response.status_code == 302
    assert AllowlistEntry.objects.filter(kind="domain", value="rotenburg-wuemme.de").exists()


def test_guide_versions_are_written_and_published_in_the_admin(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:etiquette_guideversion_add"),
        {
            "major": 1,
            "minor": 0,
            "title": "Social-Media-Etikette des Landkreises",
            "body": "## Ton\n\nSachlich.",
            "changes": "",
        },
    )
    assert response.status_code == 302
    version = GuideVersion.objects.get()
    assert version.status == GuideVersion.Status.DRAFT and version.created_by == admin_user
    response = admin_client.post(
        reverse("admin:etiquette_guideversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    assert "Version 1.0 ist jetzt die aktuelle Etikette." in response.content.decode()
    version.refresh_from_db()
    assert version.status == GuideVersion.Status.PUBLISHED
    # A published version is read-only in the admin.
    response = admin_client.post(
        reverse("admin:etiquette_guideversion_change", args=[version.pk]),
        {"major": 1, "minor": 0, "title": "x", "body": "heimlich", "changes": ""},
    )
    version.refresh_from_db()
    assert version.body == "## Ton\n\nSachlich." and response.status_code == 403


def test_admin_pages_render(admin_client):
    for name in ("rule", "term", "allowlistentry", "election", "guideversion", "acknowledgement"):
        assert admin_client.get(reverse(f"admin:etiquette_{name}_changelist")).status_code == 200
    rule = Rule.objects.get(code="personal_data")
    html = admin_client.get(reverse("admin:etiquette_rule_change", args=[rule.pk])).content.decode()
    assert "<code>phones</code>" in html and "Parameter dieser Regelart" in html
