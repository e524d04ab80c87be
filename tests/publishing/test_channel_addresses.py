"""Addresses that come from outside: a channel's API address (SSRF) and the link a network returns for
a published post (issue 14). The tests' fake servers run on 127.0.0.1 over http, which
``NETWORKS_ALLOW_LOCAL`` (on in the test settings) permits; these tests switch it off."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from channels import demo, services
from channels.forms import credential_field_name
from channels.models import Channel
from channels.networks.addresses import address_problem
from channels.networks.base import PostContent

from .conftest import make_adapter


@pytest.fixture
def strict(settings):
    settings.NETWORKS_ALLOW_LOCAL = False


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:6379",
        "https://127.0.0.1:8443",
        "https://localhost",
        "https://[::1]",
        "https://10.0.0.5",
        "https://192.168.178.1",
        "https://169.254.169.254",
        "https://[fe80::1]",
        "https://[::ffff:127.0.0.1]",
        "https://0.0.0.0",
    ],
)
def test_a_channel_address_in_a_private_network_is_refused(client, admin_user, strict, address):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:channels_channel_add"),
        {
            "kind": "mastodon",
            "name": "Mastodon intern",
            "account": "@landkreis@social.example",
            "base_url": address,
            credential_field_name("mastodon", "access_token"): "token-0815",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "base_url" in errors, errors
    assert "öffentliche" in " ".join(errors["base_url"])


def test_checking_the_access_of_a_channel_with_a_private_address_sends_nothing(
    client, db, admin_user, fake_mastodon, settings
):
    channel = services.channel_create(
        actor=admin_user, name="Mastodon-Fake", **fake_mastodon.channel_kwargs()
    )
    settings.NETWORKS_ALLOW_LOCAL = False
    client.force_login(admin_user)
    response = client.post(reverse("admin:channels_channel_check", args=[channel.pk]), follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "öffentliche" in shown, shown
    assert fake_mastodon.requests == []  # "Zugang prüfen" no longer tells whether the target answered


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "http://social.example/@a/1", "//x"],
)
def test_a_published_posts_link_from_the_network_is_kept_only_when_it_is_https(fake_mastodon, settings, url):
    settings.NETWORKS_ALLOW_LOCAL = False
    fake_mastodon.program(
        status=200, body={"id": "1234", "url": url, "uri": url}, path=r"/api/v1/statuses$", method="POST"
    )
    ref = make_adapter(fake_mastodon).publish(PostContent(text="Link-Test"))
    assert ref.external_id == "1234" and ref.url == ""


def test_an_https_link_is_kept_and_http_only_for_local_fakes(fake_mastodon, settings):
    fake_mastodon.program(
        status=200,
        body={"id": "1", "url": "https://social.example/@landkreis/1"},
        path=r"/api/v1/statuses$",
        method="POST",
    )
    assert (
        make_adapter(fake_mastodon).publish(PostContent(text="a")).url
        == "https://social.example/@landkreis/1"
    )
    settings.NETWORKS_ALLOW_LOCAL = True
    ref = make_adapter(fake_mastodon).publish(PostContent(text="b"))
    assert ref.url.startswith(fake_mastodon.base_url + "/@landkreis/")


def test_a_name_that_does_not_resolve_is_no_address_problem(strict, monkeypatch):
    """A DNS failure is not a private address: refusing it stopped every channel as a credentials
    problem during a DNS outage and made `make demo` fail at seeding (social.example never resolves)."""

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert address_problem("https://social.example") is None
    assert address_problem("https://127.0.0.1") is not None  # literal addresses are still judged


def test_the_demo_channels_are_created_without_local_networks_allowed(db, strict):
    demo.seed(actor=None)
    assert Channel.objects.filter(base_url="https://social.example").exists()
