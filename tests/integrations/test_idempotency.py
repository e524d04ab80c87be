"""Idempotency-Key: the same key and body answer the first result, also while the first still runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from integrations.models import IdempotencyKey
from posts.models import Post


def test_same_key_same_body_answers_the_first_result(api, make_token, post_body):
    secret = make_token(rights=["draft", "read"])
    client = api(secret, HTTP_IDEMPOTENCY_KEY="cms-4711")
    first = client.post("/api/v1/posts/", post_body(), format="json")
    second = client.post("/api/v1/posts/", post_body(), format="json")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Location"] == first["Location"] and second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Post.objects.count() == 1


def test_same_key_other_body_is_422(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    client = api(secret, HTTP_IDEMPOTENCY_KEY="cms-4712")
    assert client.post("/api/v1/posts/", post_body(), format="json").status_code == 201
    other = client.post("/api/v1/posts/", post_body(text="Ein anderer Text."), format="json")
    assert other.status_code == 422
    assert other.json()["type"] == "/api/v1/problems/idempotency-key-reused"
    assert Post.objects.count() == 1


def test_keys_belong_to_one_token(api, make_token, post_body):
    first = make_token(rights=["draft"], label="a")
    second = make_token(rights=["draft"], label="b")
    api(first, HTTP_IDEMPOTENCY_KEY="same").post("/api/v1/posts/", post_body(), format="json")
    api(second, HTTP_IDEMPOTENCY_KEY="same").post("/api/v1/posts/", post_body(), format="json")
    assert Post.objects.count() == 2


def test_refusals_are_replayed_too(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    client = api(secret, HTTP_IDEMPOTENCY_KEY="bad-1")
    first = client.post("/api/v1/posts/", post_body(department="XYZ"), format="json")
    second = client.post("/api/v1/posts/", post_body(department="XYZ"), format="json")
    assert first.status_code == second.status_code == 400
    assert second["Content-Type"] == "application/problem+json" and second.json() == first.json()


def test_keys_expire_after_24_hours(api, make_token, post_body):
    from integrations.api.idempotency import purge

    secret = make_token(rights=["draft"])
    client = api(secret, HTTP_IDEMPOTENCY_KEY="old")
    client.post("/api/v1/posts/", post_body(), format="json")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    client.post("/api/v1/posts/", post_body(), format="json")
    assert Post.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge() == 1 and not IdempotencyKey.objects.exists()


def test_key_must_be_printable_and_short(api, make_token, post_body):
    secret = make_token(rights=["draft"])
    response = api(secret, HTTP_IDEMPOTENCY_KEY="x" * 300).post("/api/v1/posts/", post_body(), format="json")
    assert response.status_code == 400 and not Post.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_ten_parallel_requests_with_one_key_make_one_post(live_server, make_token, post_body):
    """Real threads against the threaded live server (each request its own PostgreSQL connection)."""
    secret = make_token(rights=["draft", "read"])
    body = post_body()
    barrier = threading.Barrier(10)
    results: list[tuple[int, dict, str]] = []
    lock = threading.Lock()

    def send():
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/posts/",
            json=body,
            headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "parallel-1"},
            timeout=60,
        )
        with lock:
            results.append(
                (response.status_code, response.json(), response.headers.get("Idempotent-Replayed", ""))
            )

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _body, _replayed in results] == [201] * 10
    assert len({body["id"] for _status, body, _replayed in results}) == 1
    assert sum(1 for *_rest, replayed in results if replayed == "true") == 9
    assert Post.objects.count() == 1
