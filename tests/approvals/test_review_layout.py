"""The review page side by side (content left, steps and decision right), the queue's quick look and
waiting times that read naturally ("gerade eingegangen" rather than "wartet seit 0 Minuten")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import ReviewStep
from approvals.templatetags.approvals_tags import waited, waiting_phrase

pytestmark = pytest.mark.django_db


def test_the_decision_sits_beside_the_content_it_decides_on(client, coordinator, in_review, guide):
    post = in_review(title="Impfbus", text="Der Impfbus hält am Samstag in Zeven.").post
    client.force_login(coordinator)
    html = client.get(f"/approvals/posts/{post.pk}/").content.decode()
    main = html.split('class="review-main"', 1)[1].split('class="review-side"', 1)[0]
    side = html.split('class="review-side"', 1)[1].split('id="diff"', 1)[0]
    assert 'id="post-text"' in main and "Der Impfbus hält am Samstag" in main
    assert 'id="decision"' in side and 'id="steps-heading"' in side
    assert 'id="decision"' not in main and 'id="post-text"' not in side
    # Diff, comments and history follow below both columns.
    after = html.split('class="review-layout"', 1)[1]
    assert after.index('id="diff"') < after.index('id="comments"')


def test_the_queue_has_a_quick_look_with_the_text(client, coordinator, in_review, guide):
    post = in_review(title="Impfbus", text="Der Impfbus hält am Samstag in Zeven.").post
    client.force_login(coordinator)
    html = client.get("/approvals/").content.decode()
    look = html.split('<details class="quick-look">', 1)[1].split("</details>", 1)[0]
    assert "Kurz ansehen" in look and "Der Impfbus hält am Samstag in Zeven." in look
    assert f'href="/approvals/posts/{post.pk}/"' in look


def test_a_fresh_step_says_it_just_arrived(client, coordinator, in_review, guide):
    post = in_review(title="Impfbus").post
    client.force_login(coordinator)
    html = client.get(f"/approvals/posts/{post.pk}/").content.decode()
    assert "gerade eingegangen" in html
    assert "0 Minuten" not in html
    queue = client.get("/approvals/").content.decode()
    assert "gerade eben" in queue and "0 Minuten" not in queue
    ReviewStep.objects.filter(review__post=post).update(activated_at=timezone.now() - timedelta(minutes=5))
    html = client.get(f"/approvals/posts/{post.pk}/").content.decode()
    assert "wartet seit 5\xa0Minuten" in html or "wartet seit 5 Minuten" in html, html.split(
        "steps-heading", 1
    )[1][:1500]


def test_waiting_filters():
    now = timezone.now()
    assert waited(now - timedelta(seconds=20), now) == "gerade eben"
    assert waited(now - timedelta(hours=2), now).replace("\xa0", " ") == "2 Stunden"
    assert waiting_phrase(None) == ""
