"""The live-check endpoint: the HTML fragment for htmx, JSON on request, login required, no 500."""

import pytest
from django.urls import reverse

URL = reverse("etiquette:check")
HTMX = {"HTTP_HX_REQUEST": "true"}
JSON = {"HTTP_ACCEPT": "application/json"}


def test_login_is_required(client, db):
    response = client.post(URL, {"text": "HEUTE GESCHLOSSEN"}, **HTMX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(URL, {"text": "HEUTE GESCHLOSSEN"}, **JSON)
    assert response.status_code == 401 and response.json() == {"error": "Bitte melden Sie sich an."}


def test_only_post(client, editor):
    client.force_login(editor)
    assert client.get(URL).status_code == 405


def test_fragment_lists_findings_in_german_and_marks_the_text(client, editor):
    client.force_login(editor)
    response = client.post(
        URL,
        {
            "text": "HEUTE GESCHLOSSEN. Infos: 0171 1234567",
            "channels": ["x", "mastodon"],
            "scheduled_at": "2027-03-06T20:00",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert 'data-blocking="true"' in html
    assert "1 blockierender Befund, 3 Warnungen" in html
    assert "Telefonnummer „0171 1234567“" in html
    assert '<mark class="finding finding-block" data-rule="personal_data">0171 1234567</mark>' in html
    assert "Samstag, 06.03.2027, 20:00 Uhr" in html


def test_json_answer(client, editor):
    client.force_login(editor)
    response = client.post(URL, {"text": "Pressemitteilung: HEUTE und MORGEN zu.", "channels": ["x"]}, **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["blocking"] is False and data["routes_to_press"] is True
    assert data["counts"] == {"block": 0, "warn": 3, "info": 0}
    assert [(f["rule"], f["start"], f["end"]) for f in data["findings"]] == [
        ("press.relevant", 0, 16),
        ("tone.shouting", 18, 23),
        ("tone.shouting", 28, 34),
    ]
    assert data["errors"] == {}


def test_variants_are_checked_per_network(client, editor):
    client.force_login(editor)
    data = client.post(
        URL, {"text": "Alles gut.", "channels": ["x", "facebook"], "variant_x": "HEUTE MORGEN"}, **JSON
    ).json()
    assert {(f["channel"], f["in_variant"]) for f in data["findings"]} == {("x", True)}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "Hallo", "scheduled_at": "nächsten Dienstag"}, "scheduled_at"),
        ({"text": "Hallo", "channels": ["x", "<script>"]}, "channels"),
        ({"text": "Hallo", "media": "{kaputt"}, "media"),
        ({"text": "Hallo", "media": '[{"kind": "image", "alt_text": 5}]'}, "media"),
        ({"text": "x" * 100_001}, "text"),
        ({"text": "Hallo", "department": "D" * 30}, "department"),
    ],
)
def test_garbage_input_is_named_not_a_server_error(client, editor, data, field):
    client.force_login(editor)
    response = client.post(URL, data, **JSON)
    assert response.status_code == 200
    assert field in response.json()["errors"]
    html = client.post(URL, data, **HTMX).content.decode()
    assert f'data-field="{field}"' in html and "<script>" not in html


def test_what_is_readable_is_still_checked_when_one_field_is_bad(client, editor):
    client.force_login(editor)
    data = client.post(URL, {"text": "Rufen Sie 0171 1234567 an.", "scheduled_at": "gestern"}, **JSON).json()
    assert [f["rule"] for f in data["findings"]] == ["personal_data"]
    assert set(data["errors"]) == {"scheduled_at"}


def test_without_javascript_the_form_answers_the_whole_page_with_what_was_typed(client, editor):
    client.force_login(editor)
    response = client.post(
        URL, {"text": "HEUTE GESCHLOSSEN", "channels": ["mastodon"], "scheduled_at": "nie"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert ">HEUTE GESCHLOSSEN</textarea>" in html
    assert 'value="mastodon" id="id_channels_2" checked' in html
    assert 'value="nie"' in html and 'aria-describedby="id_scheduled_at_error"' in html


def test_query_count_does_not_grow_with_the_text(client, editor, django_assert_num_queries):
    client.force_login(editor)
    client.post(URL, {"text": "warm up"}, **JSON)
    with django_assert_num_queries(3):  # session, user, rule-set token
        client.post(URL, {"text": "kurz"}, **JSON)
    with django_assert_num_queries(3):
        client.post(
            URL, {"text": "HEUTE MORGEN 0171 1234567 bit.ly/x " * 200, "channels": ["x", "mastodon"]}, **JSON
        )


def test_try_page_is_labelled_and_posts_to_the_endpoint(client, editor):
    client.force_login(editor)
    html = client.get(reverse("etiquette:try")).content.decode()
    assert f'hx-post="{URL}"' in html and 'aria-live="polite"' in html
    assert '<label for="id_text"' in html and "<legend" in html
    assert "<h1" in html and "<h2" in html
