"""The public netiquette: /netiquette/ without login, numbered clauses with stable anchors, versions
edited in the admin like the guide (drafts never public, published versions never change)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from etiquette import selectors, services
from etiquette.models import NetiquetteVersion

pytestmark = pytest.mark.django_db

DEFAULT_ANCHORS = [
    "respekt",
    "diskriminierung",
    "rechtswidrige-inhalte",
    "datenschutz",
    "beim-thema",
    "werbung-spam",
    "moderation",
    "antwortzeiten",
    "verbindlichkeit",
    "kontakt",
]


def clauses_from(version, **changes):
    clauses = [
        {"number": c.number, "anchor": c.anchor, "title": c.title, "body": c.body}
        for c in version.clauses.order_by("number")
    ]
    for clause in clauses:
        clause.update(changes.get(clause["anchor"], {}))
    return clauses


def test_the_migration_publishes_a_german_default_with_stable_anchors():
    current = selectors.current_netiquette()
    assert current.label == "1.0"
    assert [c.anchor for c in current.clauses.all()] == DEFAULT_ANCHORS
    assert [c.number for c in current.clauses.all()] == list(range(1, 11))
    assert "112" in current.clauses.get(anchor="antwortzeiten").body  # no emergency channel


def test_anyone_reads_the_netiquette_without_logging_in(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/netiquette/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Netiquette des Landkreises Rotenburg (Wümme)" in html
    # Every clause has an element with its anchor as id and a link to itself.
    for anchor in DEFAULT_ANCHORS:
        assert f'id="{anchor}"' in html
        assert f'href="#{anchor}"' in html
    assert re.search(r"4\. Persönliche Daten schützen", html)
    assert 'href="https://www.lk-row.de/"' in html  # Markdown links rendered
    assert set(response["Cache-Control"].split(", ")) == {"max-age=300", "public"}


def test_clause_text_is_cleaned_like_the_guide(client, admin_user):
    draft = services.netiquette_version_copy(actor=admin_user, version=selectors.current_netiquette())
    evil = '<script>alert("x")</script> [klick](javascript:alert(1)) <img src=x onerror=alert(1)>'
    services.netiquette_clauses_replace(
        actor=admin_user, version=draft, clauses=clauses_from(draft, respekt={"body": evil})
    )
    services.netiquette_version_publish(actor=admin_user, version=draft)
    html = client.get("/netiquette/").content.decode()
    clause = html.split('id="respekt"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in clause and 'href="javascript' not in clause and "<img" not in clause
    assert "&lt;script&gt;" in clause


def test_drafts_are_not_public_and_earlier_versions_stay_readable(client, admin_user):
    first = selectors.current_netiquette()
    draft = services.netiquette_version_copy(actor=admin_user, version=first)
    assert draft.label == "1.1" and not draft.is_published
    assert client.get(f"/netiquette/versions/{draft.pk}/").status_code == 404
    services.netiquette_clauses_replace(
        actor=admin_user,
        version=draft,
        clauses=clauses_from(draft, respekt={"number": 11}, kontakt={"number": 1, "title": "Kontakt"}),
    )
    services.netiquette_version_publish(actor=admin_user, version=draft)
    html = client.get("/netiquette/").content.decode()
    assert "1. Kontakt" in html and "11. Respektvoll und sachlich" in html  # renumbered, same anchors
    old = client.get(f"/netiquette/versions/{first.pk}/").content.decode()
    assert "Dies ist eine frühere Fassung." in old
    assert "1. Respektvoll und sachlich" in old


def test_a_new_version_must_keep_every_anchor_and_be_newer(admin_user):
    current = selectors.current_netiquette()
    draft = services.netiquette_version_copy(actor=admin_user, version=current)
    services.netiquette_clauses_replace(
        actor=admin_user, version=draft, clauses=[c for c in clauses_from(draft) if c["anchor"] != "respekt"]
    )
    with pytest.raises(ValidationError, match="respekt"):
        services.netiquette_version_publish(actor=admin_user, version=draft)
    older = services.netiquette_version_create(
        actor=admin_user, major=0, minor=9, clauses=clauses_from(current)
    )
    with pytest.raises(ValidationError):
        services.netiquette_version_publish(actor=admin_user, version=older)


def test_published_versions_never_change(admin_user):
    current = selectors.current_netiquette()
    with pytest.raises(ValidationError):
        services.netiquette_version_update(actor=admin_user, version=current, title="Anders")
    with pytest.raises(ValidationError):
        services.netiquette_clauses_replace(actor=admin_user, version=current, clauses=[])


@pytest.mark.parametrize(
    "clauses",
    [
        [{"number": 1, "anchor": "Großes Ä", "title": "T", "body": "B"}],
        [
            {"number": 1, "anchor": "a", "title": "T", "body": "B"},
            {"number": 1, "anchor": "b", "title": "T", "body": "B"},
        ],
        [
            {"number": 1, "anchor": "a", "title": "T", "body": "B"},
            {"number": 2, "anchor": "a", "title": "T", "body": "B"},
        ],
    ],
)
def test_bad_clauses_are_refused(admin_user, clauses):
    with pytest.raises(ValidationError):
        services.netiquette_version_create(actor=admin_user, major=2, clauses=clauses)
    assert not NetiquetteVersion.objects.filter(major=2).exists()


def test_every_change_is_audited(admin_user):
    draft = services.netiquette_version_copy(actor=admin_user, version=selectors.current_netiquette())
    services.netiquette_clauses_replace(
        actor=admin_user, version=draft, clauses=clauses_from(draft, respekt={"title": "Fair bleiben"})
    )
    services.netiquette_version_publish(actor=admin_user, version=draft)
    verbs = list(AuditEvent.objects.filter(verb__startswith="netiquette.").values_list("verb", flat=True))
    assert verbs == [
        "netiquette.version_created",
        "netiquette.clauses_changed",
        "netiquette.version_published",
    ]


def test_clause_lookup_for_moderation(admin_user):
    assert selectors.netiquette_clause("respekt").number == 1
    assert selectors.netiquette_clause("gibt-es-nicht") is None


def test_admin_edits_a_draft_with_its_clauses_inline(client, admin_user):
    client.force_login(admin_user)
    current = selectors.current_netiquette()
    assert client.get(f"/admin/etiquette/netiquetteversion/{current.pk}/change/").status_code == 200
    response = client.post(
        "/admin/etiquette/netiquetteversion/add/",
        {
            "major": 2,
            "minor": 0,
            "title": "Netiquette 2",
            "intro": "Einleitung",
            "changes": "",
            "clauses-TOTAL_FORMS": 2,
            "clauses-INITIAL_FORMS": 0,
            "clauses-MIN_NUM_FORMS": 0,
            "clauses-MAX_NUM_FORMS": 1000,
            "clauses-0-number": 1,
            "clauses-0-anchor": "respekt",
            "clauses-0-title": "Respekt",
            "clauses-0-body": "Freundlich bleiben.",
            "clauses-1-number": 2,
            "clauses-1-anchor": "spam",
            "clauses-1-title": "Kein Spam",
            "clauses-1-body": "Keine Werbung.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = NetiquetteVersion.objects.get(major=2)
    assert [c.anchor for c in draft.clauses.all()] == ["respekt", "spam"]
    assert AuditEvent.objects.filter(verb="netiquette.clauses_changed").exists()
