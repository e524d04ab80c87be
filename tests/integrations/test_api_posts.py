"""The API end to end with tokens of each scope, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import IntegrationToken, PostOrigin
from posts.models import Post

from .conftest import CLEAN_TEXT

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, kind: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["type"] == f"/api/v1/problems/{kind}", body
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_draft_is_created_by_the_integration_with_a_responsible_person(
    api, make_token, post_body, integration, head, admin_user
):
    secret = make_token(rights=["draft", "read"])
    response = api(secret).post("/api/v1/posts/", post_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/posts/{post.pk}/"
    assert post.status == Post.Status.DRAFT and post.text == CLEAN_TEXT
    assert (
        post.author == integration.service_user and post.author.get_username() == "integration-cms-kreishaus"
    )
    assert body["author"] == "integration-cms-kreishaus"
    assert body["origin"] == {"integration": "CMS Kreishaus", "responsible": "leitung"}
    origin = PostOrigin.objects.get(post=post)
    assert origin.responsible == head and origin.token_created_by == admin_user
    event = AuditEvent.objects.get(verb="api.post_created", post_id=post.pk)
    assert event.actor == integration.service_user and "CMS Kreishaus" in event.actor_name
    assert event.after["integration"] == "CMS Kreishaus" and event.after["token_created_by"] == "admin"
    assert AuditEvent.objects.filter(
        verb="post.created", post_id=post.pk, actor=integration.service_user
    ).exists()
    token = IntegrationToken.objects.get()
    assert token.last_used_at is not None


def test_submitted_post_shows_its_review(api, make_token, post_body):
    secret = make_token(rights=["draft", "submit", "read"])
    response = api(secret).post("/api/v1/posts/", post_body(submit=True), format="json")
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    assert Post.objects.get(pk=post_id).status == Post.Status.IN_REVIEW
    read = api(secret).get(f"/api/v1/posts/{post_id}/")
    assert read.status_code == 200
    review = read.json()["review"]
    assert review["status"] == "open" and review["steps"][0]["kind"] == "coordination"
    assert read.json()["deliveries"] == []
    assert AuditEvent.objects.filter(verb="api.post_submitted", post_id=post_id).exists()


def test_submit_needs_the_submit_right_and_creates_nothing_without_it(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    response = api(secret).post("/api/v1/posts/", post_body(submit=True), format="json")
    body = assert_problem(response, 403, "forbidden")
    assert "submit" in body["detail"] or "einreichen" in body["detail"]
    assert not Post.objects.exists()


def test_read_only_token_cannot_create_and_draft_token_cannot_read(api, make_token, post_body):
    reader = make_token(rights=["read"], label="reader")
    assert_problem(api(reader).post("/api/v1/posts/", post_body(), format="json"), 403, "forbidden")
    writer = make_token(rights=["draft"], label="writer")
    created = api(writer).post("/api/v1/posts/", post_body(), format="json")
    assert created.status_code == 201
    assert_problem(api(writer).get(f"/api/v1/posts/{created.json()['id']}/"), 403, "forbidden")
    assert_problem(api(writer).get("/api/v1/posts/"), 403, "forbidden")
    assert api(reader).get(f"/api/v1/posts/{created.json()['id']}/").status_code == 200


def test_department_outside_the_token_is_refused(api, make_token, post_body, other_department):
    secret = make_token(rights=["draft"])
    response = api(secret).post("/api/v1/posts/", post_body(department=other_department.code), format="json")
    assert_problem(response, 403, "forbidden")
    assert not Post.objects.exists()


def test_unknown_department_is_a_field_error_in_german_and_english(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    response = api(secret).post("/api/v1/posts/", post_body(department="XYZ"), format="json")
    body = assert_problem(response, 400, "validation")
    (error,) = body["errors"]
    assert error["field"] == "department" and error["code"] == "unknown_department"
    assert error["message"]["en"] == "There is no active department with the code XYZ."
    assert error["message"]["de"] == "Es gibt keinen aktiven Fachbereich mit dem Kürzel XYZ."


def test_missing_fields_are_named_with_drf_messages_in_both_languages(api, make_token):
    secret = make_token(rights=["draft"])
    body = assert_problem(api(secret).post("/api/v1/posts/", {}, format="json"), 400, "validation")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"department", "text"}
    assert fields["text"]["message"] == {
        "en": "This field is required.",
        "de": "Dieses Feld ist zwingend erforderlich.",
    }


def test_channel_outside_the_token_scope_is_refused(api, make_token, post_body, channels):
    secret = make_token(rights=["draft"], channels=[channels["facebook"]])
    response = api(secret).post("/api/v1/posts/", post_body(), format="json")
    body = assert_problem(response, 400, "validation")
    assert body["errors"][0]["field"] == "channels"
    assert "Mastodon Landkreis" in body["errors"][0]["message"]["en"]
    assert body["errors"][0]["message"]["de"] != body["errors"][0]["message"]["en"]


def test_channel_of_another_department_is_refused_by_the_posts_service(api, make_token, post_body, channels):
    secret = make_token(rights=["draft"])
    response = api(secret).post("/api/v1/posts/", post_body(channels=[channels["x"].pk]), format="json")
    body = assert_problem(response, 400, "validation")
    assert body["errors"][0]["field"] == "channels"
    assert (
        "Gesundheitsamt" in body["errors"][0]["message"]["en"]
        and "X Verkehr" in body["errors"][0]["message"]["en"]
    )


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer lks_000000000000_wrong", "The token is not valid."),
        ("Bearer nonsense", "The token is not valid."),
    ],
)
def test_requests_without_a_valid_token_get_401(client, header, detail, make_token):
    make_token()
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/posts/", HTTP_ACCEPT_LANGUAGE="en", **headers)
    body = assert_problem(response, 401, "unauthenticated")
    assert body["detail"] == detail
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_session_login_does_not_open_the_api(client, editor):
    client.force_login(editor)
    assert_problem(client.get("/api/v1/posts/"), 401, "unauthenticated")


def test_revoked_and_expired_tokens_are_refused(api, make_token, admin_user):
    from integrations.services import token_revoke

    revoked = make_token(label="revoked")
    token_revoke(actor=admin_user, token=make_token.last)
    assert api(revoked).get("/api/v1/posts/").json()["detail"] == "Das Token wurde widerrufen."
    expiring = make_token(label="expiring", expires_at=timezone.now() + timedelta(seconds=30))
    assert api(expiring).get("/api/v1/posts/").status_code == 200
    IntegrationToken.objects.filter(pk=make_token.last.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_problem(api(expiring).get("/api/v1/posts/"), 401, "unauthenticated")


def test_switched_off_integration_cannot_use_its_tokens(api, make_token, integration, admin_user):
    from integrations.services import integration_set_active

    secret = make_token()
    integration_set_active(actor=admin_user, integration=integration, active=False)
    assert_problem(api(secret).get("/api/v1/posts/"), 401, "unauthenticated")


def test_posts_of_other_departments_are_404(api, make_token, outsider, other_department, channels):
    from posts.services import post_create

    foreign = post_create(actor=outsider, department=other_department, title="Baustelle", text="Sperrung")
    secret = make_token(rights=["read", "withdraw", "submit"])
    assert_problem(api(secret).get(f"/api/v1/posts/{foreign.pk}/"), 404, "not-found")
    assert_problem(api(secret).post(f"/api/v1/posts/{foreign.pk}/submit/"), 404, "not-found")
    listed = api(secret).get("/api/v1/posts/").json()
    assert listed["count"] == 0


def test_list_filters_and_pages(api, make_token, post_body):
    secret = make_token(rights=["draft", "submit", "read"])
    for index in range(3):
        api(secret).post("/api/v1/posts/", post_body(title=f"Post {index}", submit=index == 0), format="json")
    listed = api(secret).get("/api/v1/posts/?page_size=2").json()
    assert listed["count"] == 3 and len(listed["results"]) == 2 and listed["next"]
    in_review = api(secret).get("/api/v1/posts/?status=in_review").json()
    assert [p["title"] for p in in_review["results"]] == ["Post 0"]
    assert_problem(api(secret).get("/api/v1/posts/?status=nonsense"), 400, "validation")


def test_list_takes_a_constant_number_of_queries(api, make_token, post_body):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secret = make_token(rights=["draft", "submit", "read"])
    api(secret).post("/api/v1/posts/", post_body(title="Post", submit=True), format="json")
    client = api(secret)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/posts/")
    for index in range(10):
        api(secret).post(
            "/api/v1/posts/", post_body(title=f"Mehr {index}", submit=index % 2 == 0), format="json"
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/posts/").json()["results"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries) <= 16


def test_submit_a_draft_later(api, make_token, post_body):
    secret = make_token(rights=["draft", "submit", "read"])
    post_id = api(secret).post("/api/v1/posts/", post_body(), format="json").json()["id"]
    response = api(secret).post(f"/api/v1/posts/{post_id}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    assert_problem(api(secret).post(f"/api/v1/posts/{post_id}/submit/"), 409, "conflict")


def test_blocking_etiquette_finding_refuses_submission_with_findings(api, make_token, post_body):
    secret = make_token(rights=["draft", "submit"])
    response = api(secret).post("/api/v1/posts/", post_body(text="Impfen " * 80, submit=True), format="json")
    body = assert_problem(response, 422, "submission-blocked")
    assert any(f["rule"] == "length" and f["severity"] == "block" for f in body["findings"])
    assert not Post.objects.exists()


def test_submission_waits_for_the_responsible_person_to_confirm_the_guide(
    api, admin_user, editor, department, guide, channels, post_body
):
    from integrations.services import integration_create, token_create

    integration = integration_create(
        actor=admin_user, name="Pegelskript", responsible=editor, departments=[department]
    )
    _token, secret = token_create(
        actor=admin_user,
        integration=integration,
        label="x",
        rights=["draft", "submit"],
        departments=[department],
    )
    body = assert_problem(
        api(secret).post("/api/v1/posts/", post_body(submit=True), format="json"), 422, "submission-blocked"
    )
    assert "redaktion" in body["errors"][0]["message"]["en"]
    assert body["errors"][0]["message"]["de"].startswith("Die für diese Integration verantwortliche Person")
    assert not Post.objects.exists()


def test_etiquette_check_endpoint(api, make_token, channels):
    secret = make_token(rights=["read"])
    clean = api(secret).post(
        "/api/v1/check/", {"text": CLEAN_TEXT, "channels": [channels["mastodon"].pk]}, format="json"
    )
    assert clean.status_code == 200 and clean.json()["blocking"] is False
    long = api(secret).post(
        "/api/v1/check/", {"text": "Impfen " * 80, "channels": [channels["mastodon"].pk]}, format="json"
    )
    assert long.json()["blocking"] is True
    finding = next(f for f in long.json()["findings"] if f["rule"] == "length")
    assert finding["channel"] == "mastodon" and finding["message"]["de"] and finding["message"]["en"]
    assert not Post.objects.exists()


def test_channels_endpoint_lists_the_token_scope(api, make_token, channels):
    everything = make_token(label="all")
    assert {c["name"] for c in api(everything).get("/api/v1/channels/").json()} == {
        "Mastodon Landkreis",
        "Facebook Landkreis",
    }
    only_facebook = make_token(label="fb", channels=[channels["facebook"]])
    assert [c["network"] for c in api(only_facebook).get("/api/v1/channels/").json()] == ["facebook"]


def test_english_answers_when_asked(api, make_token):
    secret = make_token(rights=["draft"])
    response = api(secret, HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/posts/")
    assert response.json()["title"] == "This token may not do that."
    assert api(secret).get("/api/v1/posts/").json()["title"] == "Dieses Token darf das nicht."


def test_german_text_of_a_formatted_message_comes_from_its_own_msgid():
    from integrations.i18n import bilingual

    assert bilingual("Unknown channel(s): 99.") == {
        "de": "Unbekannte(r) Kanal/Kanäle: 99.",
        "en": "Unknown channel(s): 99.",
    }
    text = "The person responsible for this integration (x) has not confirmed the current etiquette guide; posts cannot be submitted until they do."
    assert bilingual(text)["de"].startswith("Die für diese Integration verantwortliche Person (x)")
    assert bilingual("Something nobody translated.")["de"] == "Something nobody translated."
