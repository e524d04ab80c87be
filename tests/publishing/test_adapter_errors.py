"""Every adapter maps the network's failures to PublishError the same way, with its real client
library over real HTTP against its fake server – and never puts a credential into a message."""

from __future__ import annotations

import pytest

from channels.networks.base import ErrorKind, PostContent, PublishError

from .conftest import make_adapter

# network kind -> (fake fixture, path of the request that creates the post)
NETWORKS = {
    "x": ("fake_x", r"/2/tweets$"),
    "mastodon": ("fake_mastodon", r"/api/v1/statuses$"),
    "facebook": ("fake_facebook", r"/feed$"),
    "instagram": ("fake_instagram", r"/media_publish$"),
    "bluesky": ("fake_bluesky", r"createRecord$"),
}


@pytest.fixture(params=sorted(NETWORKS))
def network(request, image):
    """(kind, fake, create path, content) for each network."""
    kind = request.param
    fixture, create_path = NETWORKS[kind]
    fake = request.getfixturevalue(fixture)
    media = (image,) if kind == "instagram" else ()  # Instagram has no text-only posts
    content = PostContent(
        text=f"Test für {kind}: Impfzentrum geöffnet", media=media, idempotency_key="delivery-17"
    )
    return kind, fake, create_path, content


def secrets_of(fake) -> list[str]:
    return [value for value in fake.channel_kwargs()["credentials"].values() if len(value) >= 4]


def publish_error(adapter, content) -> PublishError:
    with pytest.raises(PublishError) as caught:
        adapter.publish(content)
    return caught.value


def assert_no_secret(error: PublishError, fake) -> None:
    for secret in secrets_of(fake):
        assert secret not in str(error)
        assert secret not in repr(error)
        assert secret not in error.message


def test_invalid_token_is_permanent_and_a_credentials_problem(network):
    _kind, fake, create_path, content = network
    fake.unauthorized(path=create_path)
    error = publish_error(make_adapter(fake), content)
    assert error.kind is ErrorKind.PERMANENT
    assert error.credentials_problem
    assert fake.created_count == 0
    assert_no_secret(error, fake)


def test_rate_limit_is_retryable_with_the_networks_reset_time(network):
    _kind, fake, create_path, content = network
    fake.rate_limit(reset_in=120, path=create_path)
    error = publish_error(make_adapter(fake), content)
    assert error.kind is ErrorKind.RETRYABLE
    assert error.retry_after is not None
    assert 90 <= error.retry_after <= 125, error.retry_after
    assert fake.created_count == 0
    assert_no_secret(error, fake)


def test_gateway_error_after_the_creating_request_is_uncertain_except_with_an_idempotency_key(network):
    kind, fake, create_path, content = network
    fake.program(status=502, body="<html><body>502 Bad Gateway</body></html>", path=create_path)
    error = publish_error(make_adapter(fake), content)
    # Mastodon keeps the Idempotency-Key: sending again cannot double-post, so it is retryable.
    expected = ErrorKind.RETRYABLE if kind == "mastodon" else ErrorKind.UNCERTAIN
    assert error.kind is expected, error
    assert error.status_code == 502
    assert_no_secret(error, fake)


def test_service_unavailable_is_retryable(network):
    _kind, fake, create_path, content = network
    fake.fail(503, path=create_path, message="Service Unavailable")
    error = publish_error(make_adapter(fake), content)
    assert error.kind is ErrorKind.RETRYABLE
    assert_no_secret(error, fake)


@pytest.mark.parametrize("status", [400, 403])
def test_refused_content_is_permanent_with_the_networks_message(network, status):
    _kind, fake, create_path, content = network
    fake.fail(status, path=create_path, message="Inhalt abgelehnt: verstößt gegen Richtlinie")
    error = publish_error(make_adapter(fake), content)
    assert error.kind is ErrorKind.PERMANENT
    assert not error.credentials_problem
    assert "Inhalt abgelehnt" in error.message
    assert_no_secret(error, fake)


def test_read_timeout_after_sending_is_uncertain_because_the_post_may_exist(network):
    kind, fake, create_path, content = network
    fake.slow(2.0, path=create_path)
    error = publish_error(make_adapter(fake, timeout=0.6), content)
    assert fake.created_count == 1  # the network did create it: that is why nobody may just resend
    expected = ErrorKind.RETRYABLE if kind == "mastodon" else ErrorKind.UNCERTAIN
    assert error.kind is expected, error
    assert_no_secret(error, fake)


def test_connection_dropped_after_sending_is_uncertain(network):
    kind, fake, create_path, content = network
    fake.drop_connection(path=create_path)
    error = publish_error(make_adapter(fake), content)
    expected = ErrorKind.RETRYABLE if kind == "mastodon" else ErrorKind.UNCERTAIN
    assert error.kind is expected, error


def test_connection_refused_is_retryable_and_nothing_was_sent(network):
    _kind, fake, _create_path, content = network
    adapter = make_adapter(fake)
    fake.stop()
    error = publish_error(adapter, content)
    assert error.kind is ErrorKind.RETRYABLE
    assert "nichts gesendet" in error.message
    assert_no_secret(error, fake)


def test_check_credentials_reports_a_refused_token_without_the_token(network):
    kind, fake, _create_path, _content = network
    adapter = make_adapter(fake)
    if kind == "bluesky":
        adapter.config.credentials["app_password"] = "wrong-pass-word-0000"
    else:
        for name in adapter.config.credentials:
            adapter.config.credentials[name] = "invalid-" + name
        adapter = make_adapter(fake, credentials=adapter.config.credentials)
    with pytest.raises(PublishError) as caught:
        adapter.check_credentials()
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.credentials_problem
    for value in adapter.config.credentials.values():
        assert value not in str(caught.value)


def test_check_credentials_returns_the_account_name(network):
    kind, fake, _create_path, _content = network
    expected = {
        "x": "@LandkreisTest",
        "mastodon": "@landkreis",
        "facebook": "Landkreis Test",
        "instagram": "@landkreis_test",
        "bluesky": "@landkreis.test",
    }[kind]
    assert make_adapter(fake).check_credentials() == expected


def test_publish_error_survives_pickling_for_celery():
    import pickle

    error = PublishError("X: rate limit", kind=ErrorKind.RETRYABLE, retry_after=42.0, status_code=429)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.message, copy.kind, copy.retry_after, copy.status_code) == (
        "X: rate limit",
        ErrorKind.RETRYABLE,
        42.0,
        429,
    )
    auth = pickle.loads(pickle.dumps(PublishError("401", kind=ErrorKind.PERMANENT, credentials_problem=True)))  # noqa: S301
    assert auth.credentials_problem and auth.permanent
