"""XSS: markup typed into any text field comes back escaped on every page, fragment and export.

Every text a person can enter – post title, text and per-channel text, alt text, credit, comments,
review comments and reasons, notification comments, the guide's Markdown, a term's suggestion, names of
channels, departments and people, sandbox posts – carries its own payload. The test then opens every
page of the permission matrix as every role (own and other department), the htmx fragments (live
check, editor panel), the admin's lists and change pages, the iCal feed and the CSV exports, and checks:

- no payload's markup appears as markup (``<script>xss(``, ``<img src=x onerror=xss(``, a broken-out
  attribute ``<b id=xss-``, a ``javascript:`` link);
- each payload does appear, escaped, somewhere (so the test sees the field and cannot pass by not
  looking);
- the iCal feed parses back to exactly one event per post, with the title as typed; CSV cells that a
  spreadsheet would run as a formula start with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re

import icalendar
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from .test_permission_matrix import MATRIX
from .world import ROLES, build_world, login_as, object_value, role_objects, url_for


def payload(field: str) -> str:
    """Markup that would run if it were not escaped; ``field`` tells which field leaked."""
    return f'{field} <script>xss("{field}")</script><img src=x onerror=xss("{field}")>"\'><b id=xss-{field}>'


RAW = re.compile(r'<script>xss\("|<img src=x onerror=xss\("|<b id=xss-|href="javascript:', re.I)
FIELDS = (
    "title",
    "text",
    "variant",
    "alt",
    "credit",
    "comment",
    "changes",
    "reason",
    "channel",
    "department",
    "person",
    "guide",
    "suggestion",
    "sandbox",
    "notification",
    "template",
    "captions",
)


@pytest.fixture
def world(cast, department, other_department, settings, tmp_path):
    from departments.services import department_update
    from etiquette.models import Term
    from etiquette.services import term_update
    from posts.services import post_create, post_submit

    settings.MEDIA_ROOT = tmp_path / "media"
    User = get_user_model()
    User.objects.filter(pk=cast["editor"].pk).update(first_name=payload("person"), last_name="Redlich")
    cast["editor"].refresh_from_db()
    department_update(actor=None, department=department, name=payload("department")[:200])
    department.refresh_from_db()
    text = payload("text") + " Mehr unter https://www.lk-row.de/impfen #Impfen gemäß Satzung!!"
    made = build_world(
        cast,
        department,
        other_department,
        text=text,
        title=payload("title")[:200],
        alt_text=payload("alt"),
        credit=payload("credit")[:300],
        comment=payload("comment"),
        variant=payload("variant"),
        channel_names=(payload("channel")[:200], "Facebook Landkreis"),
        guide_body="# Etikette\n\n" + payload("guide") + "\n\n[Link](javascript:alert(1))",
        sandbox_text=payload("sandbox"),
        captions=("WEBVTT\n\n00:00.000 --> 00:02.000\n" + payload("captions") + "\n").encode(),
    )
    # A post template (integrations) with typed text in every field a page shows.
    from integrations.models import PostTemplate

    template = PostTemplate.objects.create(
        name=payload("template")[:200],
        department=department,
        title=payload("template-title")[:200],
        text=payload("template-text") + " {{ stand }}",
        fields=[],
    )
    made["objects"]["own"]["template"] = template
    made["objects"]["other"]["template"] = template.pk + 1000  # no such template
    term = Term.objects.filter(term="gemäß").first() or Term.objects.order_by("pk").first()
    term_update(actor=None, entry=term, suggestion=payload("suggestion")[:200])

    # A post sent back with a comment and one rejected with a reason (both shown on the pages).
    from approvals.models import ReviewStep
    from approvals.services import step_reject, step_request_changes

    coordinator = cast["coordinator"]
    for kind in ("changes", "reason"):
        post = post_create(
            actor=cast["editor"],
            department=department,
            title=payload("title")[:200],
            text=text,
            channels=made["channels"],
        )
        post_submit(actor=cast["editor"], post=post)
        step = ReviewStep.objects.get(review__post=post, status="open")
        if kind == "changes":
            step_request_changes(actor=coordinator, step=step, comment=payload("changes"))
        else:
            step_reject(actor=coordinator, step=step, reason=payload("reason"))
    for notification in made["notifications"].values():
        type(notification).objects.filter(pk=notification.pk).update(
            comment=payload("notification"), data={"title": payload("title")}
        )
    return made


def check_html(body: str, where: str, seen: set[str]) -> list[str]:
    problems = [f"{where}: unescaped {match.group(0)!r}" for match in RAW.finditer(body)]
    for field in FIELDS:
        if f"{field} &lt;script&gt;xss(" in body or f"{field} &lt;script&gt;xss(&quot;" in body:
            seen.add(field)
    return problems


def pages(world, role: str) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every page the role may open, with own and other objects."""
    result = []
    for row in MATRIX:
        for which, index in (("own", 0), ("other", 1)):
            if row.obj == "-" and which == "other":
                continue
            if row.method != "GET" or row.cells[role][index] not in ("200",):
                continue
            value = None if row.obj == "-" else object_value(world, role, row.obj, which)
            result.append(("GET", url_for(row.view, value), {}))
    own = role_objects(world, role)[0]
    if role not in ("anonymous",):
        # The review page of the post sent back and of the rejected one, and the list filtered by text.
        from posts.models import Post

        for post in Post.objects.filter(status__in=["changes_requested", "rejected"]):
            result.append(("GET", reverse("approvals:review", args=[post.pk]), {}))
            result.append(("GET", reverse("approvals:history", args=[post.pk]), {}))
        result.append(("GET", reverse("posts:list") + "?q=script", {}))
        result.append(("GET", reverse("posts:calendar") + "?view=week", {}))
        result.append(("GET", reverse("posts:detail", args=[own["draft"].pk]), {}))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_every_page_escapes_what_people_typed(client, world, role):
    login_as(client, world, role)
    seen: set[str] = set()
    problems: list[str] = []
    for method, url, data in pages(world, role):
        response = getattr(client, method.lower())(url, data)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        problems += check_html(response.content.decode(), f"{role} {url}", seen)
    assert not problems, "\n".join(problems)
    if role in ("editor", "coordinator"):
        # These two see nearly everything: every field must have been seen escaped somewhere
        # (captions are a file served as text/vtt, not a page; post templates are Koordination's).
        unseen = {"captions"} | ({"template"} if role == "editor" else set())
        missing = set(FIELDS) - unseen - seen
        assert not missing, f"{role}: payloads never seen escaped: {sorted(missing)}"


def test_guide_markdown_is_sanitised(client, world):
    client.force_login(world["cast"]["editor"])
    html = client.get(reverse("etiquette:guide")).content.decode()
    assert not RAW.search(html)
    assert "guide &lt;script&gt;xss(" in html  # shown as text
    assert 'href="javascript:' not in html  # a Markdown link to javascript: stays text, not a link
    assert "[Link](javascript:alert(1))" in html


def test_htmx_fragments_and_json_escape_the_typed_text(client, world):
    editor = world["cast"]["editor"]
    client.force_login(editor)
    own = role_objects(world, "editor")[0]
    typed = payload("live") + " gemäß!! #impfzentrumrotenburg"
    fragments = [
        (
            "/posts/check/",
            {
                "department": own["department"].pk,
                "text": typed,
                "channels": [c.pk for c in world["channels"]],
            },
        ),
        (
            f"/posts/{own['draft'].pk}/check/",
            {
                "text": typed,
                "channels": [c.pk for c in world["channels"]],
                f"variant_{world['channels'][0].pk}": typed,
            },
        ),
        ("/etiquette/check/", {"text": typed, "channels": ["mastodon", "x"]}),
    ]
    for url, data in fragments:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not RAW.search(body), (url, RAW.search(body).group(0))
        assert "live &lt;script&gt;xss(" in body, url  # the text is shown (highlighted), escaped
        assert "<mark" in body, url  # with findings marked – the marking escapes too
    response = client.post("/etiquette/check/", {"text": typed}, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)


def test_admin_pages_escape_the_typed_text(client, world):
    client.force_login(world["cast"]["admin"])
    problems, seen = [], set()
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls = [base]
        urls += [
            f"{base}{pk}/change/"
            for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:3]
        ]
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                problems += check_html(response.content.decode(), url, seen)
    assert not problems, "\n".join(problems)
    assert {"title", "department", "channel", "person", "sandbox", "suggestion"} <= seen, seen


def test_ical_feed_keeps_titles_as_typed_and_cannot_be_split(client, world):
    from posts import calendar as cal
    from posts.models import Post
    from posts.selectors import list_posts, visible_posts

    editor = world["cast"]["editor"]
    Post.objects.filter(department=world["objects"]["own"]["department"]).update(
        planned_at=Post.objects.order_by("pk").first().created_at,
        title="Zeile\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:eingeschleust",
    )
    response = client.get(reverse("posts:calendar_feed", args=[world["feeds"]["editor"]]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    expected = cal.feed_posts(list_posts(visible_posts(editor))).count()
    assert len(events) == expected > 0  # no event smuggled in by a title
    summaries = [str(event.get("summary")) for event in events]
    assert not any(summary == "eingeschleust" for summary in summaries)
    assert any("END:VEVENT" in summary and "SUMMARY:eingeschleust" in summary for summary in summaries)


def test_csv_exports_defuse_formulas(client, world):
    from departments.services import department_update

    department = world["objects"]["own"]["department"]
    department_update(actor=world["cast"]["admin"], department=department, name='=HYPERLINK("http://x")')
    get_user_model().objects.filter(pk=world["cast"]["editor"].pk).update(first_name="@SUM(1+1)")
    client.force_login(world["cast"]["admin"])
    audit = client.get(reverse("approvals:audit_export") + "?start=2020-01-01&end=2029-12-31")
    rows = list(csv.reader(io.StringIO(b"".join(audit.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'") for cell in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), [
        c for c in cells if c[:1] in "=+-@"
    ][:5]
    record = client.get(reverse("etiquette:training_record_csv")).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(record), delimiter=";") for cell in row]
    assert "'@SUM(1+1) Redlich" in cells or any(c.startswith("'@SUM") for c in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
