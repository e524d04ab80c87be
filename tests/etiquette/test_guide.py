"""The guide: versions, acknowledgement, a new major version asks again, the training record."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from etiquette import selectors, services
from etiquette.models import Acknowledgement, GuideVersion

BODY = "# Ton\n\nWir bleiben **sachlich**.\n\n## Daten\n\nKeine Telefonnummern.\n\n<script>alert(1)</script> [x](javascript:alert(1))"


@pytest.fixture
def guide(admin_user):
    version = services.guide_version_create(actor=admin_user, major=1, body=BODY)
    return services.guide_version_publish(actor=admin_user, version=version)


def publish(admin_user, major, minor=0, body="Neue Fassung."):
    version = services.guide_version_create(actor=admin_user, major=major, minor=minor, body=body)
    return services.guide_version_publish(actor=admin_user, version=version)


def test_nobody_has_acknowledged_while_no_guide_is_published(editor, admin_user):
    assert selectors.current_guide() is None
    assert not selectors.has_acknowledged_current_guide(editor)
    draft = services.guide_version_create(actor=admin_user, major=1, body="Entwurf")
    assert selectors.current_guide() is None
    with pytest.raises(ValidationError):
        services.guide_acknowledge(actor=editor, version=draft)


def test_acknowledging_holds_for_minor_versions_but_not_for_a_new_major(
    editor, admin_user, guide, django_assert_num_queries
):
    services.guide_acknowledge(actor=editor, version=guide)
    with django_assert_num_queries(1):
        assert selectors.has_acknowledged_current_guide(editor)
    publish(admin_user, 1, 1, "Kleine Korrektur.")
    assert selectors.has_acknowledged_current_guide(editor)
    new_major = publish(admin_user, 2, 0, "Grundlegend neu.")
    assert not selectors.has_acknowledged_current_guide(editor)
    services.guide_acknowledge(actor=editor, version=new_major)
    assert selectors.has_acknowledged_current_guide(editor)


def test_only_the_current_version_can_be_acknowledged_and_twice_is_once(editor, admin_user, guide):
    publish(admin_user, 2)
    with pytest.raises(ValidationError):
        services.guide_acknowledge(actor=editor, version=guide)
    current = selectors.current_guide()
    services.guide_acknowledge(actor=editor, version=current)
    services.guide_acknowledge(actor=editor, version=current)
    assert Acknowledgement.objects.filter(user=editor).count() == 1
    assert AuditEvent.objects.filter(verb="guide.acknowledged", actor=editor).count() == 1


def test_published_versions_never_change_and_numbers_only_go_up(admin_user, guide):
    with pytest.raises(ValidationError):
        services.guide_version_update(actor=admin_user, version=guide, body="heimlich geändert")
    older = services.guide_version_create(actor=admin_user, major=0, minor=9, body="alt")
    with pytest.raises(ValidationError, match="nicht neuer"):
        services.guide_version_publish(actor=admin_user, version=older)
    verbs = list(AuditEvent.objects.filter(verb__startswith="guide.").values_list("verb", flat=True))
    assert verbs == ["guide.version_created", "guide.version_published", "guide.version_created"]


def test_guide_page_renders_markdown_safely_with_headings_in_order(client, editor, guide):
    client.force_login(editor)
    html = client.get(reverse("etiquette:guide")).content.decode()
    assert "<h2>Ton</h2>" in html and "<h3>Daten</h3>" in html  # "#" becomes h2 under the page's h1
    assert "<strong>sachlich</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "Noch nicht bestätigt." in html
    assert 'for="id_confirm"' in html and "Gelesen und verstanden" in html


def test_acknowledge_through_the_page(client, editor, guide):
    client.force_login(editor)
    response = client.post(
        reverse("etiquette:acknowledge"), {"version": guide.pk, "confirm": "on"}, follow=True
    )
    html = response.content.decode()
    assert "Danke. Sie haben Version 1.0 der Etikette bestätigt." in html
    assert "Bestätigt." in html
    assert selectors.has_acknowledged_current_guide(editor)


def test_forgetting_the_tick_shows_a_german_error_next_to_the_box(client, editor, guide):
    client.force_login(editor)
    response = client.post(reverse("etiquette:acknowledge"), {"version": guide.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_confirm_error"' in html
    assert (
        'id="id_confirm_error">Bitte bestätigen Sie, dass Sie die Etikette gelesen und verstanden haben.'
        in html
    )
    assert not selectors.has_acknowledged_current_guide(editor)


def test_a_version_published_meanwhile_must_be_read_first(client, editor, admin_user, guide):
    client.force_login(editor)
    publish(admin_user, 2)
    response = client.post(reverse("etiquette:acknowledge"), {"version": guide.pk, "confirm": "on"})
    assert "Inzwischen ist eine neuere Version der Etikette veröffentlicht" in response.content.decode()
    assert not selectors.has_acknowledged_current_guide(editor)


def test_drafts_are_hidden_from_staff(client, editor, admin_user, guide):
    draft = services.guide_version_create(actor=admin_user, major=2, body="Geheimer Entwurf")
    client.force_login(editor)
    assert client.get(reverse("etiquette:guide_version", args=[draft.pk])).status_code == 404
    assert client.get(reverse("etiquette:guide_version", args=[guide.pk])).status_code == 200
    client.force_login(admin_user)
    assert (
        "Geheimer Entwurf" in client.get(reverse("etiquette:guide_version", args=[draft.pk])).content.decode()
    )


def test_home_page_shows_the_notice_until_acknowledged(client, editor, guide):
    client.force_login(editor)
    assert 'id="guide-notice"' in client.get("/").content.decode()
    services.guide_acknowledge(actor=editor, version=guide)
    assert 'id="guide-notice"' not in client.get("/").content.decode()


def test_guide_page_without_a_published_version(client, editor):
    client.force_login(editor)
    html = client.get(reverse("etiquette:guide")).content.decode()
    assert 'id="guide-missing"' in html


def test_training_record_is_for_administration_and_koordination_only(
    client, editor, coordinator, admin_user, guide
):
    client.force_login(editor)
    assert client.get(reverse("etiquette:training_record")).status_code == 403
    assert client.get(reverse("etiquette:training_record_csv")).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("etiquette:training_record")).status_code == 200


def test_training_record_shows_who_acknowledged_what(client, cast, guide):
    services.guide_acknowledge(actor=cast["editor"], version=guide)
    client.force_login(cast["admin"])
    html = client.get(reverse("etiquette:training_record"), {"missing": "on"}).content.decode()
    table = html.split('id="training-record"', 1)[1]
    assert "redaktion2" in table and "leitung" in table
    assert ">redaktion<" not in table
    html = client.get(reverse("etiquette:training_record"), {"q": "redaktion"}).content.decode()
    table = html.split('id="training-record"', 1)[1]
    assert "<td>redaktion</td>" in table and "<td>1.0</td>" in table and "<td>redaktion2</td>" in table


def test_training_record_query_count_does_not_grow_with_people(
    client, make_user, admin_user, guide, django_assert_num_queries
):
    client.force_login(admin_user)
    url = reverse("etiquette:training_record")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        user = make_user(f"person{number}")
        if number % 2:
            services.guide_acknowledge(actor=user, version=guide)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "person29" in html


def test_training_record_csv(client, cast, guide):
    services.guide_acknowledge(actor=cast["editor"], version=guide)
    client.force_login(cast["admin"])
    response = client.get(reverse("etiquette:training_record_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Benutzername",
        "Name",
        "Zuletzt bestätigte Version",
        "Bestätigt am",
        "Deckt aktuelle Version 1.0 ab",
    ]
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["redaktion"][2:3] == ["1.0"] and by_user["redaktion"][4] == "ja"
    assert by_user["presse"][2] == "" and by_user["presse"][4] == "nein"


def test_csv_cells_cannot_become_formulas(client, make_user, admin_user, guide):
    make_user("=cmd", first_name="=HYPERLINK(1)")
    client.force_login(admin_user)
    content = client.get(reverse("etiquette:training_record_csv")).content.decode("utf-8-sig")
    assert "'=cmd;'=HYPERLINK(1)" in content


def test_demo_seeds_a_real_first_guide(db):
    from django.core.management import call_command

    call_command("seed_demo", "--force", verbosity=0)
    current = selectors.current_guide()
    assert current.label == "1.0" and current.status == GuideVersion.Status.PUBLISHED
    for heading in (
        "Wie und wann wir posten",
        "Ton und Sprache",
        "Personenbezogene Daten",
        "Barrierefreiheit",
        "Neutralität",
        "Presse",
        "Kommentare beantworten",
    ):
        assert heading in current.body
    from django.contrib.auth import get_user_model

    redaktion = get_user_model().objects.get(username="redaktion")
    assert selectors.has_acknowledged_current_guide(redaktion)
    call_command("seed_demo", "--force", verbosity=0)  # idempotent
    assert GuideVersion.objects.count() == 1
