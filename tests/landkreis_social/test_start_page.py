"""The start page per role: what waits, each entry linking to where it is done, empty states that say
what to do, and a fixed number of queries whatever the amount of data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import ReviewStep
from channels.models import Channel
from landkreis_social.start import Panel
from posts.models import Post
from publishing.models import Delivery

from .workspace_data import failed_deliveries, in_review, live_channel, posts, sent_back

pytestmark = pytest.mark.django_db


def panel(html: str, key: str) -> str:
    start = html.index(f'id="panel-{key}"')
    return html[start : html.index("</section>", start)]


def test_redaktion_new_post_first_then_drafts_sent_back_in_review_and_the_week(client, editor, department):
    draft = posts(1, author=editor, department=department, title="Entwurf")[0]
    back = sent_back(1, author=editor, department=department, comment="Bitte die Uhrzeit ergänzen.")[0]
    waiting = in_review(1, author=editor, department=department, planned_in=timedelta(days=3))[0]
    client.force_login(editor)

    html = client.get("/").content.decode()

    main = html.split('id="main"', 1)[1]
    assert main.index('href="/posts/new/"') < main.index('class="start-panels"')
    assert f'href="/posts/{draft.pk}/edit/"' in panel(html, "drafts")
    sent = panel(html, "sent-back")
    assert f'href="/posts/{back.pk}/edit/"' in sent and "Bitte die Uhrzeit ergänzen." in sent
    assert f'href="/posts/{waiting.pk}/"' in panel(html, "in-review")
    assert f'href="/posts/{waiting.pk}/"' in panel(html, "this-week")
    assert 'id="panel-waiting"' not in html  # editors decide nothing


def test_redaktion_sees_failed_publications_of_own_posts_only(client, editor, head, department):
    channel = live_channel(departments=[department])
    mine = failed_deliveries(1, author=editor, department=department, channel=channel)[0]
    failed_deliveries(1, author=head, department=department, channel=channel)
    client.force_login(editor)
    html = panel(client.get("/").content.decode(), "my-deliveries")
    assert f'href="/publishing/deliveries/{mine.pk}/"' in html
    assert html.count('class="start-item"') == 1
    assert "net-mastodon" in html  # the network's icon


def test_empty_panels_say_what_to_do(client, editor):
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert "Keine Entwürfe. Beginnen Sie mit „Neuer Beitrag“" in panel(html, "drafts")
    assert 'id="panel-my-deliveries"' not in html  # nothing went wrong: no panel


def test_review_roles_see_what_waits_by_urgency(client, coordinator, editor, department):
    overdue = in_review(1, author=editor, department=department, planned_in=timedelta(hours=-2))[0]
    later = in_review(1, author=editor, department=department, planned_in=timedelta(days=5))[0]
    client.force_login(coordinator)
    html = panel(client.get("/").content.decode(), "waiting")
    assert html.index(f"/approvals/posts/{overdue.pk}/") < html.index(f"/approvals/posts/{later.pk}/")
    assert "überfällig" in html
    assert 'nav-count">2<' in html


def test_the_waiting_count_stops_at_99_plus_as_in_the_navigation(client, coordinator, editor, department):
    in_review(99, author=editor, department=department)
    client.force_login(coordinator)
    html = panel(client.get("/").content.decode(), "waiting")
    assert 'nav-count">99<' in html and html.count('class="start-item"') == 8
    in_review(1, author=editor, department=department)
    assert 'nav-count">99+<' in panel(client.get("/").content.decode(), "waiting")


def test_only_capped_totals_are_shown_as_99_plus():
    assert Panel(key="guide", title="", total=150).total_display == "150"
    assert Panel(key="waiting", title="", total=100, total_capped=True).total_display == "99+"
    assert Panel(key="waiting", title="", total=0, total_capped=True).total_display == ""


def test_press_office_sees_press_steps(client, press, editor, department):
    step_post = in_review(1, author=editor, department=department, kind=ReviewStep.Kind.PRESS)[0]
    in_review(1, author=editor, department=department)  # a coordination step: not for the press office
    client.force_login(press)
    html = panel(client.get("/").content.decode(), "waiting")
    assert "Presse-Prüfungen, die auf Sie warten" in html
    assert f"/approvals/posts/{step_post.pk}/" in html and html.count('class="start-item"') == 1


def test_coordination_sees_channels_and_publications_that_need_attention(
    client, coordinator, editor, department
):
    from django.utils import timezone

    channel = live_channel(departments=[department])
    Channel.objects.filter(pk=channel.pk).update(
        attention_since=timezone.now(), attention_message="Unauthorized"
    )
    delivery = failed_deliveries(
        1, author=editor, department=department, channel=channel, status=Delivery.Status.UNCERTAIN
    )[0]
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert "Unauthorized" in panel(html, "channels-attention")
    assert f"/publishing/deliveries/{delivery.pk}/" in panel(html, "deliveries-attention")


def test_administration_sees_rollout_channels_audit_chain_and_missing_confirmations(
    client, admin_user, editor, department
):
    from etiquette.services import guide_version_create, guide_version_publish

    live_channel(departments=[department])
    version = guide_version_create(actor=admin_user, major=1, body="# Etikette")
    guide_version_publish(actor=admin_user, version=version)
    client.force_login(admin_user)
    html = client.get("/").content.decode()
    assert "Phase 0" in panel(html, "rollout")
    health = panel(html, "channel-health")
    assert "Mastodon Landkreis" in health and "nie geprüft" in health
    assert "Das Ende der Kette ist unversehrt" in panel(html, "audit")
    assert "redaktion" in panel(html, "guide").lower()


def test_a_broken_chain_end_is_reported(client, admin_user):
    from audit.models import AuditChainHead
    from audit.services import audit_record

    audit_record(actor=admin_user, verb="test.event", obj=admin_user)
    AuditChainHead.objects.filter(id=1).update(last_hash="f" * 64)
    client.force_login(admin_user)
    assert "passt nicht zum Kettenkopf" in panel(client.get("/").content.decode(), "audit")


def pending_replies(n, *, author, department, channel):
    """Replies to citizens waiting for approval (the panel "Antworten freigeben")."""
    import uuid

    from inbox.models import InboxItem, Reply

    now = timezone.now()
    for _ in range(n):
        key = uuid.uuid4().hex
        item = InboxItem.objects.create(
            channel=channel,
            network_id=key,
            kind=InboxItem.Kind.COMMENT,
            text="Frage",
            received_at=now,
            conversation_key=f"item:{key}",
            department=department,
        )
        Reply.objects.create(item=item, author=author, text="Antwort", status=Reply.Status.PENDING)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/").status_code == 200
    return len(context)


@pytest.mark.parametrize("who", ["editor", "head", "coordinator", "press", "admin"])
def test_the_start_page_takes_the_same_queries_at_10_and_200_posts(
    client, cast, who, department, django_assert_num_queries
):
    editor = cast["editor"]
    channel = live_channel(departments=[department])

    def add(n):
        posts(n, author=editor, department=department)
        sent_back(n, author=editor, department=department)
        in_review(n, author=editor, department=department)
        in_review(n, author=editor, department=department, kind=ReviewStep.Kind.PRESS)
        in_review(n, author=editor, department=department, kind=ReviewStep.Kind.DEPARTMENT_HEAD)
        failed_deliveries(n, author=editor, department=department, channel=channel)
        posts(n, author=editor, department=department, status=Post.Status.SCHEDULED)
        pending_replies(n, author=editor, department=department, channel=channel)

    add(2)
    client.force_login(cast[who])
    client.get("/")  # warm per-process caches (content types, guardian)
    few = _queries(client)
    add(30)
    with django_assert_num_queries(few):
        assert client.get("/").status_code == 200


def test_redaktion_sees_inbox_reactions_due_without_the_citizens_text(
    client, editor, outsider, department, other_department
):
    from inbox.models import InboxItem

    channel = live_channel(departments=[department, other_department])
    now = timezone.now()

    def item(number, dept, due_in):
        return InboxItem.objects.create(
            channel=channel,
            network_id=str(number),
            kind=InboxItem.Kind.COMMENT,
            text="Wann hat das Bürgerbüro offen? Erika Muster",
            author_handle="@erika",
            received_at=now,
            conversation_key=f"item:{number}",
            department=dept,
            due_at=now + due_in,
            clock_starts_at=now - timedelta(hours=1),
        )

    late = item(1, department, timedelta(hours=-1))
    later = item(2, department, timedelta(hours=5))
    item(3, other_department, timedelta(hours=1))  # another department's
    client.force_login(editor)
    html = panel(client.get("/").content.decode(), "inbox-due")
    assert html.index(f'href="/inbox/{late.pk}/"') < html.index(f'href="/inbox/{later.pk}/"')
    assert html.count('class="start-item"') == 2
    assert "überfällig" in html
    assert "Bürgerbüro" not in html and "erika" not in html.lower()  # personal data stays in the inbox


@pytest.mark.postgres
def test_publications_needing_attention_are_read_newest_first_from_their_index(client, coordinator):
    """Thousands of failed deliveries at 100,000 posts: the panel reads its six rows from the partial
    index instead of sorting them all (bench/pages_bench.py: 15–20 ms before)."""
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as context:
        client.get("/")
    (sql,) = [
        q["sql"] for q in context.captured_queries if q["sql"].startswith('SELECT "publishing_delivery"')
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an empty table: make the planner show it can
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert "delivery_problems_newest_idx" in plan and "Sort Key" not in plan, plan
