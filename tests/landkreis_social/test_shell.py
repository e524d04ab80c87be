"""The app shell: the navigation each role sees (grouped by task), its counts read in one query, the
top bar, the county's colour as a style sheet, and no navigation before the second factor."""

from __future__ import annotations

import re

import pytest
from django.core import checks
from django.test import override_settings

from departments import roles
from landkreis_social import navigation, theme
from posts.models import Post

from .workspace_data import in_review, posts

pytestmark = pytest.mark.django_db


def sidebar(html: str) -> str:
    return html.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]


def group_headings(html: str) -> list[str]:
    return re.findall(r'<p class="sidebar-heading"[^>]*>([^<]+)</p>', sidebar(html))


def link_labels(html: str) -> list[str]:
    return re.findall(r'<span class="nav-label">([^<]+)</span>', sidebar(html))


@pytest.mark.parametrize(
    ("who", "groups", "present", "absent"),
    [
        (
            "editor",
            ["Schreiben", "Prüfen"],
            ["Beiträge", "Redaktionsplan", "Etikette", "Posteingang"],
            ["Freigaben", "Rollout", "Protokoll"],
        ),
        (
            "head",
            ["Schreiben", "Prüfen", "Auswerten"],
            ["Beiträge", "Freigaben"],
            ["Veröffentlichungen", "Rollout"],
        ),
        (
            "press",
            ["Schreiben", "Prüfen", "Auswerten"],
            ["Freigaben"],
            ["Veröffentlichungen", "Sandbox-Feed", "Rollout"],
        ),
        (
            "coordinator",
            ["Schreiben", "Prüfen", "Veröffentlichen", "Auswerten"],
            ["Freigaben", "Veröffentlichungen", "Sandbox-Feed"],
            ["Kanäle", "Rollout", "Protokoll"],
        ),
        (
            "admin",
            ["Schreiben", "Prüfen", "Veröffentlichen", "Auswerten", "Verwaltung"],
            ["Kanäle", "Rollout", "Freigabeverfahren", "Protokoll", "Administration"],
            ["Freigaben"],
        ),
    ],
)
def test_each_role_sees_only_its_groups_and_entries(client, cast, who, groups, present, absent):
    client.force_login(cast[who])
    html = client.get("/").content.decode()
    assert group_headings(html) == groups
    labels = link_labels(html)
    for label in present:
        assert label in labels, (who, label, labels)
    for label in absent:
        assert label not in labels, (who, label, labels)


def test_the_current_page_is_marked_for_screen_readers_too(client, editor):
    client.force_login(editor)
    html = client.get("/posts/calendar/").content.decode()
    current = re.findall(r'<a class="nav-link active" href="([^"]+)"[^>]*aria-current="page"', sidebar(html))
    assert current == ["/posts/calendar/"]


def test_counts_show_what_waits_for_the_user(client, editor, coordinator, department):
    posts(2, author=editor, department=department)
    posts(1, author=editor, department=department, status=Post.Status.CHANGES_REQUESTED)
    posts(4, author=editor, department=department, status=Post.Status.PUBLISHED)
    in_review(3, author=editor, department=department)

    client.force_login(editor)
    html = client.get("/").content.decode()
    assert re.search(
        r'id="nav-posts-list".*?nav-count" id="nav-posts-list-count" aria-hidden="true">3<span class="visually-hidden"> offene Entwürfe von Ihnen',
        html,
        re.S,
    )

    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert re.search(
        r'id="nav-approvals-queue".*?nav-count" id="nav-approvals-queue-count" aria-hidden="true">3<span class="visually-hidden"> warten auf Sie',
        html,
        re.S,
    )


def test_all_counts_and_the_unread_notifications_are_one_query(
    editor, coordinator, admin_user, department, django_assert_num_queries
):
    posts(3, author=editor, department=department)
    providers = {
        "drafts": navigation.my_open_drafts,
        "queue": navigation.review_steps_waiting,
        "deliveries": navigation.deliveries_needing_attention,
        "channels": navigation.channels_needing_attention,
        "unread": navigation.unread_notifications,
    }
    roles.user_groups(editor)  # read once per request anyway (the entries' visibility)
    with django_assert_num_queries(1):
        counts = navigation.read_counts(editor, providers)
    assert counts == {"drafts": 3, "queue": 0, "deliveries": 0, "channels": 0, "unread": 0}


def test_a_count_is_capped(editor, department):
    posts(navigation.COUNT_CAP + 5, author=editor, department=department)
    counts = navigation.read_counts(editor, {"drafts": navigation.my_open_drafts})
    assert counts["drafts"] == navigation.COUNT_CAP + 1
    link = navigation.NavLink(label="x", url="/", icon="x", key="x", active=False, count=counts["drafts"])
    assert link.count_display == "99+"


def test_fragments_that_do_not_use_the_shell_cost_no_navigation_query(
    client, editor, django_assert_max_num_queries
):
    """The navigation is lazy: the editor's live check (an htmx fragment) does not read counts."""
    client.force_login(editor)
    client.post("/posts/check/", {"text": "Hallo"}, HTTP_HX_REQUEST="true")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.post("/posts/check/", {"text": "Hallo"}, HTTP_HX_REQUEST="true")
    assert not any("_capped" in query["sql"] for query in queries.captured_queries)


def test_the_top_bar_has_the_bell_and_the_user_menu(client, editor):
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert 'id="nav-notifications"' in html and "Benachrichtigungen" in html
    menu = html.split('id="user-menu-button"', 1)[1].split("</header>", 1)[0]
    assert "Sicherheit" in menu and "Sprache" in menu and "Abmelden" in menu
    assert 'data-bs-toggle="offcanvas"' in html  # the menu button for small screens
    assert "<script>" not in html and " style=" not in html


def test_page_title_favicon_and_county_name(client, editor):
    client.force_login(editor)
    html = client.get("/posts/").content.decode()
    assert re.search(r"<title>[^<]+ – Landkreis Social</title>", html)
    assert 'rel="icon" href="/static/icons/favicon.svg"' in html
    assert "Landkreis Rotenburg (Wümme)" in html


@override_settings(
    COUNTY_NAME="Landkreis Musterstadt", COUNTY_APP_NAME="Kreis Social", COUNTY_PRIMARY_COLOR="#7a1f3d"
)
def test_another_county_sets_name_and_colour(client, editor):
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert "Landkreis Musterstadt" in html and "– Kreis Social</title>" in html
    css = client.get("/theme.css").content.decode()
    assert "--lk-primary: #7a1f3d;" in css
    assert "--lk-primary-rgb: 122, 31, 61;" in css


def test_a_primary_colour_too_light_for_white_text_is_refused():
    with override_settings(COUNTY_PRIMARY_COLOR="#7fb8d6"):
        errors = theme.check_primary_colour()
    assert [error.id for error in errors] == ["landkreis_social.E001"]
    assert isinstance(errors[0], checks.Error)
    with override_settings(COUNTY_PRIMARY_COLOR="#0b4f71"):
        assert theme.check_primary_colour() == []


def test_the_theme_sheet_is_served_before_the_second_factor(client, coordinator, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.TWO_FACTOR_REQUIRED = True
    TOTPDevice.objects.create(user=coordinator, name="App", confirmed=True)
    client.post("/accounts/login/", {"username": "koordination", "password": "demo-passwort"})
    response = client.get("/theme.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")


def test_the_second_factor_page_shows_no_navigation_and_no_unread_count(
    client, coordinator, department, editor, settings
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.TWO_FACTOR_REQUIRED = True
    in_review(2, author=editor, department=department)
    TOTPDevice.objects.create(user=coordinator, name="App", confirmed=True)
    response = client.post(
        "/accounts/login/", {"username": "koordination", "password": "demo-passwort"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/")
    html = response.content.decode()
    assert 'id="sidebar"' not in html
    assert 'id="nav-notifications"' not in html
    assert "Freigaben" not in html
    assert "Abmelden" in html  # the way out stays
