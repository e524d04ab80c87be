"""The fake servers themselves: reachable from another process by base URL, restartable on the
same port, counters visible to the test (what the publishing worker tests rely on)."""

from __future__ import annotations

import json
import subprocess
import sys

import requests
from django.conf import settings

SCRIPT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")
import django
django.setup()
from channels.networks import registry
from channels.networks.base import ChannelConfig, PostContent
kwargs = json.loads(sys.argv[1])
adapter = registry.get(kwargs["kind"])(ChannelConfig(credentials=kwargs["credentials"], account=kwargs["account"],
                                                     base_url=kwargs["base_url"], timeout=5))
ref = adapter.publish(PostContent(text="aus einem anderen Prozess", idempotency_key="p-1"))
print(json.dumps({"id": ref.external_id}))
"""


def test_another_process_publishes_to_the_fake_by_base_url(fake_mastodon):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(fake_mastodon.channel_kwargs())],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(settings.BASE_DIR),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert fake_mastodon.created_count == 1
    assert fake_mastodon.created[0]["id"] == answer["id"]
    assert fake_mastodon.created[0]["text"] == "aus einem anderen Prozess"


def test_stopped_fake_refuses_connections_and_restarts_on_the_same_port(fake_x):
    base_url = fake_x.base_url
    fake_x.stop()
    try:
        requests.get(base_url + "/2/users/me", timeout=2)
    except requests.ConnectionError:
        refused = True
    else:
        refused = False
    assert refused
    fake_x.start()
    assert fake_x.base_url == base_url
    assert requests.get(base_url + "/2/users/me", timeout=2).status_code == 401  # no OAuth header


def test_programmed_failures_are_used_up_in_order(fake_facebook):
    fake_facebook.fail(500, path=r"/feed$", times=2)
    url = f"{fake_facebook.base_url}/v21.0/{fake_facebook.account_id}/feed"
    data = {"message": "x", "access_token": fake_facebook.token}
    statuses = [requests.post(url, data=data, timeout=2).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert fake_facebook.created_count == 1
    assert len(fake_facebook.requests_to(r"/feed$")) == 3
