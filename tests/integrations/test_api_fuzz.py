"""Fuzzing every API endpoint with arbitrary JSON, headers and query strings: never a server error,
every error is problem+json."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "department",
    "title",
    "text",
    "link",
    "channels",
    "variants",
    "planned_at",
    "press_relevant",
    "submit",
    "media",
    "reason",
]
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, json_values)),
)


@pytest.fixture
def fuzz_client(api, make_token):
    return api(make_token(rights=["read", "draft", "submit", "withdraw"], rate_limit="100000/minute"))


def _check(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path", ["/api/v1/posts/", "/api/v1/check/", "/api/v1/posts/{id}/submit/", "/api/v1/posts/{id}/withdraw/"]
)
@FUZZ
@given(body=bodies, key=st.none() | st.text(max_size=300))
def test_post_endpoints_never_fail(fuzz_client, post_body, path, body, key):
    if "{id}" in path:
        created = fuzz_client.post("/api/v1/posts/", post_body(), format="json")
        path = path.format(id=created.json()["id"])
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key and key.isprintable() and "\n" not in key else {}
    _check(fuzz_client.post(path, json.dumps(body), content_type="application/json", **headers))


@FUZZ
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(
        [
            "application/json",
            "multipart/form-data; boundary=x",
            "text/plain",
            "application/x-www-form-urlencoded",
        ]
    ),
)
def test_unreadable_bodies_are_problems(fuzz_client, raw, content_type):
    _check(fuzz_client.post("/api/v1/posts/", raw, content_type=content_type))


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["status", "department", "page", "page_size", "x"]), st.text(max_size=20), max_size=4
    ),
    pk=st.integers(min_value=-5, max_value=2**40),
)
def test_get_endpoints_never_fail(fuzz_client, query, pk):
    _check(fuzz_client.get("/api/v1/posts/", query))
    _check(fuzz_client.get(f"/api/v1/posts/{pk}/" if pk >= 0 else "/api/v1/posts/-1/"))
    _check(fuzz_client.get("/api/v1/channels/", query))


@pytest.fixture
def fuzz_template(admin_user, department, channels):
    from integrations.models import PostTemplate
    from integrations.services import template_save

    return template_save(
        actor=admin_user,
        template=PostTemplate(
            name="Fuzz",
            department=department,
            title="T {{ a }}",
            text="{{ a }} {% if b %}{{ b|zahl }}{% endif %}",
            fields=[{"name": "a", "required": True}, {"name": "b"}],
        ),
        channels=[channels["mastodon"]],
    )


@pytest.mark.parametrize("path", ["/api/v1/templates/{t}/preview/", "/api/v1/templates/{t}/posts/"])
@FUZZ
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"data": json_values}, optional={"submit": json_values, "planned_at": json_values}
        ),
    )
)
def test_template_endpoints_never_fail(fuzz_client, fuzz_template, path, body):
    _check(
        fuzz_client.post(path.format(t=fuzz_template.pk), json.dumps(body), content_type="application/json")
    )
