"""Shared office computers: no page that shows data may stay in the browser's (or a proxy's) cache."""

from __future__ import annotations

import pytest

from .test_permission_matrix import MATRIX
from .test_permission_matrix import world as matrix_world
from .world import object_value, url_for


@pytest.fixture
def world(cast, department, other_department, settings, tmp_path):
    # The permission matrix's world (it adds the objects of later apps, e.g. a post template).
    return matrix_world.__wrapped__(cast, department, other_department, settings, tmp_path)


@pytest.mark.parametrize("role", ["editor", "coordinator", "admin"])
def test_every_page_and_medium_a_signed_in_user_sees_is_not_stored(client, world, role):
    client.force_login(world["cast"][role])
    checked = []
    for row in MATRIX:
        if row.method != "GET" or not row.cells[role][0].startswith("200"):
            continue
        if row.cells["anonymous"][0].startswith("200"):
            continue  # public pages (the netiquette, the signed media address for Instagram) may be cached
        value = None if row.obj == "-" else object_value(world, role, row.obj, "own")
        url = url_for(row.view, value)
        response = client.get(url)
        if response.status_code != 200:
            continue
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (url, cache_control)
        checked.append(url)
    assert len(checked) > 20, checked


def test_the_admin_and_the_ical_feed_are_not_stored_either(client, world):
    client.force_login(world["cast"]["admin"])
    assert "no-store" in client.get("/admin/").get("Cache-Control", "")
    client.logout()
    feed = client.get(url_for("posts:calendar_feed", world["feeds"]["editor"]))
    assert feed.status_code == 200 and "no-store" in feed.get("Cache-Control", "")
