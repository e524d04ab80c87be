"""End to end through the posts app's submission: the guide gate and an admin's severity change."""

import pytest

from etiquette import services as etiquette_services
from etiquette.models import Rule


@pytest.fixture
def live_channels(department):
    from channels.models import Channel, RolloutPhase

    phase = RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    mastodon = Channel.objects.create(
        kind="mastodon", name="Mastodon Landkreis", account="@landkreis", enabled=True
    )
    mastodon.departments.set([department])
    phase.channels.set([mastodon])
    return [mastodon]


@pytest.fixture
def new_draft(editor, department, live_channels):
    from posts.services import post_create

    def make(
        text="Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen",
    ):
        return post_create(
            actor=editor, department=department, title="Termine", text=text, channels=live_channels
        )

    return make


def publish(admin_user, major):
    version = etiquette_services.guide_version_create(actor=admin_user, major=major, body="Sachlich bleiben.")
    return etiquette_services.guide_version_publish(actor=admin_user, version=version)


def test_only_staff_who_acknowledged_the_current_major_version_can_submit(editor, admin_user, new_draft):
    from posts.models import Post
    from posts.services import SubmissionBlocked, post_submit

    first = publish(admin_user, 1)
    post = new_draft()
    with pytest.raises(SubmissionBlocked):
        post_submit(actor=editor, post=post)
    etiquette_services.guide_acknowledge(actor=editor, version=first)
    post_submit(actor=editor, post=post)
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW

    publish(admin_user, 2)
    with pytest.raises(SubmissionBlocked):
        post_submit(actor=editor, post=new_draft())


def test_an_admin_severity_change_blocks_the_next_submission(editor, admin_user, new_draft):
    from posts.services import SubmissionBlocked, post_submit

    etiquette_services.guide_acknowledge(actor=editor, version=publish(admin_user, 1))
    shouting = "Ab Montag vergibt das Gesundheitsamt neue Termine!! Mehr unter https://www.lk-row.de/impfen"
    warnings = post_submit(actor=editor, post=new_draft(shouting))
    assert [f.rule for f in warnings] == ["tone.shouting"]
    etiquette_services.rule_set_severity(
        actor=admin_user, rule=Rule.objects.get(code="tone.shouting"), severity="block"
    )
    with pytest.raises(SubmissionBlocked) as caught:
        post_submit(actor=editor, post=new_draft(shouting))
    assert [f.rule for f in caught.value.findings if f.blocking] == ["tone.shouting"]
