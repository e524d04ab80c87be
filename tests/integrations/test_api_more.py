"""Withdrawal, the rate limit, media uploads, the schema (validated, and a client driven only by it) and
the documentation page."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from posts.models import Post

from .conftest import CLEAN_TEXT


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def approved_post(api, make_token, post_body, coordinator):
    """A post the integration submitted and Koordination approved (approvals' real step)."""
    from approvals.models import ReviewStep
    from approvals.services import step_approve

    secret = make_token(rights=["draft", "submit", "read", "withdraw"], label="all rights")
    post_id = api(secret).post("/api/v1/posts/", post_body(submit=True), format="json").json()["id"]
    post = Post.objects.get(pk=post_id)
    step = ReviewStep.objects.get(review__post=post, status=ReviewStep.Status.OPEN)
    step_approve(actor=coordinator, step=step, revision=step.review.revision, comment="")
    post.refresh_from_db()
    assert post.status in (Post.Status.APPROVED, Post.Status.SCHEDULED)
    return post, secret


def test_withdraw_with_the_right_takes_the_post_back(api, approved_post):
    post, secret = approved_post
    response = api(secret).post(
        f"/api/v1/posts/{post.pk}/withdraw/", {"reason": "Termin abgesagt"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert all(d["status"] == "withdrawn" for d in response.json()["deliveries"])


def test_withdraw_needs_the_right_and_a_reason(api, approved_post, make_token):
    post, secret = approved_post
    no_right = make_token(rights=["read", "draft"], label="no withdraw")
    refused = api(no_right).post(f"/api/v1/posts/{post.pk}/withdraw/", {"reason": "x"}, format="json")
    assert refused.status_code == 403
    missing = api(secret).post(f"/api/v1/posts/{post.pk}/withdraw/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    post.refresh_from_db()
    assert post.status != Post.Status.WITHDRAWN


def test_withdraw_only_posts_of_the_own_integration(
    api, make_token, editor, department, channels, admin_user, head
):
    from integrations.services import integration_create, token_create
    from posts.services import post_create

    by_hand = post_create(actor=editor, department=department, title="Von Hand", text=CLEAN_TEXT)
    other = integration_create(actor=admin_user, name="Andere", responsible=head, departments=[department])
    _t, secret = token_create(
        actor=admin_user, integration=other, label="x", rights=["withdraw", "read"], departments=[department]
    )
    response = api(secret).post(f"/api/v1/posts/{by_hand.pk}/withdraw/", {"reason": "weg"}, format="json")
    assert response.status_code == 403


def test_withdraw_of_a_draft_is_a_conflict(api, make_token, post_body):
    secret = make_token(rights=["draft", "withdraw", "read"])
    post_id = api(secret).post("/api/v1/posts/", post_body(), format="json").json()["id"]
    response = api(secret).post(f"/api/v1/posts/{post_id}/withdraw/", {"reason": "weg"}, format="json")
    assert response.status_code == 409 and response.json()["type"] == "/api/v1/problems/conflict"


def test_rate_limit_per_token_answers_429_with_retry_after(api, make_token):
    limited = make_token(rights=["read"], rate_limit="3/minute", label="limited")
    other = make_token(rights=["read"], label="other")
    for _ in range(3):
        assert api(limited).get("/api/v1/posts/").status_code == 200
    response = api(limited).get("/api/v1/posts/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["type"] == "/api/v1/problems/rate-limited"
    assert api(other).get("/api/v1/posts/").status_code == 200  # per token, not per integration


def test_media_upload_with_alt_text_and_credit(api, make_token, post_body):
    secret = make_token(rights=["draft", "read"])
    data = post_body(
        media=[{"file": "bild", "alt_text": "Das Impfzentrum von außen", "credit": "Foto: Landkreis"}]
    )
    response = api(secret).post(
        "/api/v1/posts/",
        {"data": json.dumps(data), "bild": io.BytesIO(_png())},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    (medium,) = response.json()["media"]
    assert medium["kind"] == "image" and medium["alt_text"] == "Das Impfzentrum von außen"
    assert medium["credit"] == "Foto: Landkreis" and medium["width"] == 64


def test_media_refusals(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    no_alt = post_body(media=[{"file": "bild"}])
    response = api(secret).post(
        "/api/v1/posts/", {"data": json.dumps(no_alt), "bild": io.BytesIO(_png())}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "media.0"
    assert "alternative text" in response.json()["errors"][0]["message"]["en"]
    assert "Alternativtext" in response.json()["errors"][0]["message"]["de"]
    missing = post_body(media=[{"file": "nichts", "alt_text": "x"}])
    response = api(secret).post("/api/v1/posts/", {"data": json.dumps(missing)}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "media.0.file"
    not_image = post_body(media=[{"file": "bild", "alt_text": "x"}])
    response = api(secret).post(
        "/api/v1/posts/",
        {"data": json.dumps(not_image), "bild": io.BytesIO(b"kein Bild")},
        format="multipart",
    )
    assert response.status_code == 400
    in_json = api(secret).post("/api/v1/posts/", post_body(media=[{"file": "bild"}]), format="json")
    assert in_json.status_code == 400 and in_json.json()["type"] == "/api/v1/problems/malformed"
    assert not Post.objects.exists()


def _schema(client) -> dict:
    response = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_validates(client):
    from openapi_spec_validator import validate

    schema = _schema(client)
    validate(schema)
    assert {"/api/v1/posts/", "/api/v1/posts/{id}/", "/api/v1/check/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["integrationToken"]["scheme"] == "bearer"


def _example(schema: dict, components: dict, department: str, channel: int):
    """A value for a schema, from the schema only (plus the two ids the server knows)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, department, channel)
    kind = schema.get("type")
    if kind == "object":
        return {
            name: _example(prop, components, department, channel)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return [_example(schema["items"], components, department, channel)]
    if kind == "integer":
        return channel
    if kind == "string":
        return department if schema.get("pattern") or schema.get("format") == "slug" else CLEAN_TEXT
    return None


def test_a_client_driven_only_by_the_schema_creates_a_post(client, api, make_token, department, channels):
    schema = _schema(client)
    components = schema["components"]["schemas"]
    path, method, operation = next(
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if op.get("operationId") == "posts_create"
    )
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    body = _example(body_schema, components, department.code, channels["mastodon"].pk)
    body["channels"] = [channels["mastodon"].pk]  # optional in the schema; without it the post goes nowhere
    assert set(body) >= {"department", "text"}
    secret = make_token(rights=["draft", "read"])
    response = getattr(api(secret), method)(path, body, format="json")
    assert str(response.status_code) in operation["responses"]
    assert response.status_code == 201, response.content
    response_schema = components[
        operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert set(response_schema["required"]) <= set(response.json())


def test_documentation_page_is_self_hosted_and_csp_clean(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style" not in html and "cdn" not in html.lower()
    assert "<script>" not in html  # every script has a src
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
