"""Rollout phases: planning, activation in order, what goes live, the Rollout page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from guardian.shortcuts import get_perms

from audit.models import AuditEvent
from channels import selectors, services
from channels.models import Channel, RolloutPhase
from channels.permissions import channels_of_department_group, department_group


@pytest.fixture
def plan(db, admin_user, department, other_department):
    """The county's plan: Phase 0 Facebook (GA); Phase 1 Instagram + Mastodon (SVA); Phase 2 X + Bluesky."""
    make = lambda kind, name, **kw: services.channel_create(actor=admin_user, kind=kind, name=name, **kw)  # noqa: E731
    channels = {
        "facebook": make("facebook", "Facebook", account="1234567890"),
        "instagram": make("instagram", "Instagram", account="17841400000000000"),
        "mastodon": make("mastodon", "Mastodon", base_url="https://social.example"),
        "x": make("x", "X"),
        "bluesky": make("bluesky", "Bluesky", account="landkreis.bsky.social"),
    }
    phases = [
        services.phase_create(
            actor=admin_user,
            order=0,
            name="Phase 0",
            description="Corona-Zahlen",
            planned_start=datetime.date(2020, 11, 1),
            channels=[channels["facebook"]],
            departments=[department],
        ),
        services.phase_create(
            actor=admin_user,
            order=1,
            name="Phase 1",
            channels=[channels["instagram"], channels["mastodon"]],
            departments=[other_department],
        ),
        services.phase_create(
            actor=admin_user, order=2, name="Phase 2", channels=[channels["x"], channels["bluesky"]]
        ),
    ]
    return {"channels": channels, "phases": phases}


def live_names():
    return sorted(selectors.live_channels().values_list("name", flat=True))


def test_nothing_is_live_before_a_phase_is_activated(plan):
    assert live_names() == []
    assert all(not c.enabled for c in Channel.objects.all())


def test_activating_phase_0_puts_only_facebook_live(plan, admin_user, department, other_department):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    assert live_names() == ["Facebook"]
    assert selectors.channel_is_live(plan["channels"]["facebook"])
    assert not selectors.channel_is_live(plan["channels"]["x"])
    assert list(selectors.channels_for_department(department)) == [plan["channels"]["facebook"]]
    assert list(selectors.channels_for_department(other_department)) == []
    event = AuditEvent.objects.get(verb="rollout_phase.activated")
    assert event.actor_id == admin_user.pk
    assert event.after["channels"] == ["Facebook"]
    assert AuditEvent.objects.filter(
        verb="channel.enabled", object_id=str(plan["channels"]["facebook"].pk)
    ).exists()


def test_phases_add_up(plan, admin_user, department, other_department):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    services.phase_activate(actor=admin_user, phase=plan["phases"][1])
    assert live_names() == ["Facebook", "Instagram", "Mastodon"]
    # Departments of every active phase get every live channel.
    for dept in (department, other_department):
        assert sorted(c.name for c in selectors.channels_for_department(dept)) == [
            "Facebook",
            "Instagram",
            "Mastodon",
        ]


def test_phases_start_in_order(plan, admin_user):
    with pytest.raises(ValidationError) as caught:
        services.phase_activate(actor=admin_user, phase=plan["phases"][1])
    assert "Phase 0" in caught.value.messages[0]
    assert live_names() == []
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    with pytest.raises(ValidationError):
        services.phase_activate(actor=admin_user, phase=plan["phases"][0])  # already active


def test_a_channel_outside_an_active_phase_cannot_be_enabled_by_hand(plan, admin_user):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    with pytest.raises(ValidationError) as caught:
        services.channel_enable(actor=admin_user, channel=plan["channels"]["x"])
    assert "X" in caught.value.messages[0]
    plan["channels"]["x"].refresh_from_db()
    assert not plan["channels"]["x"].enabled
    assert not selectors.channel_is_live(plan["channels"]["x"])


def test_a_switched_off_channel_of_an_active_phase_receives_nothing(plan, admin_user, department):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    services.channel_disable(
        actor=admin_user, channel=plan["channels"]["facebook"], comment="Token abgelaufen"
    )
    assert not selectors.channel_is_live(plan["channels"]["facebook"])
    assert list(selectors.channels_for_department(department)) == []
    services.channel_enable(actor=admin_user, channel=plan["channels"]["facebook"])
    assert selectors.channel_is_live(plan["channels"]["facebook"])


def test_channel_is_live_reads_the_database_not_the_instance(plan, admin_user):
    facebook = plan["channels"]["facebook"]
    facebook.enabled = True  # only in memory
    assert not selectors.channel_is_live(facebook)


def test_department_access_is_mirrored_into_guardian(plan, admin_user, department, other_department):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    facebook = plan["channels"]["facebook"]
    assert "publish_to_channel" in get_perms(department_group(department), facebook)
    assert "publish_to_channel" not in get_perms(department_group(other_department), facebook)
    services.channel_set_departments(actor=admin_user, channel=facebook, departments=[other_department])
    assert list(channels_of_department_group(department)) == []
    assert list(channels_of_department_group(other_department)) == [facebook]
    assert list(selectors.channels_for_department(other_department)) == [facebook]


def test_adding_a_channel_to_an_active_phase_puts_it_live(plan, admin_user):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    services.phase_update(
        actor=admin_user,
        phase=plan["phases"][0],
        channels=[plan["channels"]["facebook"], plan["channels"]["x"]],
    )
    assert live_names() == ["Facebook", "X"]


# --- the Rollout page ---------------------------------------------------------------------------------


def test_rollout_page_shows_the_timeline_and_the_next_phase_button(client, plan, admin_user):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    client.force_login(admin_user)
    response = client.get(reverse("publishing:rollout"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Phase 0") < html.index("Phase 1") < html.index("Phase 2")
    live = html[html.index('id="live-channels"') :]
    assert live.index("Facebook") < live.index("</ul>")
    assert "Instagram" not in live[: live.index("</ul>")]
    # Only the next phase has a start button (it checks the channels' access first).
    assert reverse("publishing:rollout_check", args=[plan["phases"][1].pk]) in html
    assert reverse("publishing:rollout_check", args=[plan["phases"][2].pk]) not in html
    assert 'aria-current="step"' in html
    assert "style=" not in html and "onclick" not in html


def test_the_start_button_refuses_a_phase_whose_channels_were_never_checked(client, plan, admin_user):
    """Starting from the page goes through the access check (tests/publishing/test_rollout_start.py)."""
    client.force_login(admin_user)
    response = client.post(reverse("publishing:rollout_activate", args=[plan["phases"][0].pk]), follow=True)
    assert response.status_code == 200
    assert not RolloutPhase.objects.get(order=0).is_active
    assert "Facebook" in " ".join(str(m) for m in response.context["messages"])
    assert live_names() == []


def test_activating_out_of_order_from_the_page_shows_the_reason(client, plan, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("publishing:rollout_activate", args=[plan["phases"][2].pk]), follow=True)
    assert response.status_code == 200
    assert not RolloutPhase.objects.get(order=2).is_active
    assert "Phase 0" in next(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("who", ["editor", "head", "outsider", "coordinator", "press"])
def test_rollout_page_is_for_administration_only(client, plan, cast, who):
    client.force_login(cast[who])
    assert client.get(reverse("publishing:rollout")).status_code == 404
    assert client.post(reverse("publishing:rollout_activate", args=[plan["phases"][0].pk])).status_code == 404
    assert not RolloutPhase.objects.get(order=0).is_active


def test_rollout_page_needs_a_login(client, plan):
    response = client.get(reverse("publishing:rollout"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_rollout_page_queries_do_not_grow_with_the_plan(
    client, plan, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    client.get(reverse("publishing:rollout"))  # warm up session and caches
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("publishing:rollout"))
    baseline = len(captured.captured_queries)
    for order in range(3, 9):
        services.phase_create(
            actor=admin_user,
            order=order,
            name=f"Phase {order}",
            channels=[services.channel_create(actor=admin_user, kind="x", name=f"X {order}")],
        )
    with django_assert_max_num_queries(baseline) as captured:
        client.get(reverse("publishing:rollout"))


def test_changing_an_active_phase_leaves_switched_off_channels_off(plan, admin_user):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    services.channel_disable(
        actor=admin_user, channel=plan["channels"]["facebook"], comment="Token abgelaufen"
    )
    services.phase_update(
        actor=admin_user,
        phase=plan["phases"][0],
        channels=[plan["channels"]["facebook"], plan["channels"]["x"]],
    )
    assert live_names() == ["X"]


def test_a_later_phase_does_not_undo_a_narrowed_channel(plan, admin_user, department, other_department):
    services.phase_activate(actor=admin_user, phase=plan["phases"][0])
    facebook = plan["channels"]["facebook"]
    services.channel_set_departments(actor=admin_user, channel=facebook, departments=[])
    services.phase_activate(actor=admin_user, phase=plan["phases"][1])
    # The department of Phase 1 gets every live channel; the narrowed pair stays narrowed.
    assert sorted(d.code for d in Channel.objects.get(pk=facebook.pk).departments.all()) == [
        other_department.code
    ]
    assert sorted(c.name for c in selectors.channels_for_department(department)) == ["Instagram", "Mastodon"]


def test_rollout_page_shows_a_phase_the_system_activated(client, plan, admin_user):
    services.phase_activate(actor=None, phase=plan["phases"][0])  # e.g. the demo seed
    client.force_login(admin_user)
    response = client.get(reverse("publishing:rollout"))
    assert response.status_code == 200
    assert "gestartet vom System" in response.content.decode()
