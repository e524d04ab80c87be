"""Data for the fault tests, written into the database of ``DATABASE_URL`` through the real services.

Run in a process of its own (the fault tests' database is a private PostgreSQL, not the test database):

    python -m tests.faults.scenario setup --mastodon-url URL --mastodon-token TOKEN
    python -m tests.faults.scenario approve --posts 10

``setup`` makes a department with an editor and a coordinator, a Mastodon channel on the fake server,
live in an active rollout phase, and the published guide. ``approve`` writes posts and approves them
through the review services (the last approval creates the deliveries and queues them after the commit –
on a broker that may be down). Each prints one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")

TEXT = "Meldung {n}: Das Bürgerbüro hat am Montag bis 18 Uhr geöffnet. Mehr unter https://www.lk-row.de/buergerbuero"
# Not the demo's published password: production refuses to start while a demo account has it (issue 14).
PASSWORD = "stoerfall-probe-2026"


def setup(mastodon_url: str, mastodon_token: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from channels import services
    from departments import roles
    from departments.services import department_create, membership_add
    from etiquette.services import guide_acknowledge, guide_version_create, guide_version_publish

    User = get_user_model()
    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    admin = User.objects.create_superuser("admin", "admin@landkreis.example", PASSWORD)
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATION))
    coordinator = User.objects.create_user("koordination", "k@landkreis.example", PASSWORD)
    coordinator.groups.add(Group.objects.get(name=roles.KOORDINATION))
    editor = User.objects.create_user("redaktion", "r@landkreis.example", PASSWORD)
    department = department_create(actor=admin, name="Gesundheitsamt", code="GA")
    membership_add(actor=admin, user=editor, department=department, role="editor")
    channel = services.channel_create(
        actor=admin,
        kind="mastodon",
        name="Mastodon Landkreis",
        account="@landkreis@social.example",
        base_url=mastodon_url,
        credentials={"access_token": mastodon_token},
        departments=[department],
    )
    phase = services.phase_create(
        actor=admin, order=0, name="Phase 0", channels=[channel], departments=[department]
    )
    services.phase_activate(actor=admin, phase=phase)
    guide = guide_version_publish(
        actor=admin,
        version=guide_version_create(actor=admin, major=1, body="# Etikette\n\nSachlich bleiben."),
    )
    guide_acknowledge(actor=editor, version=guide)
    return {"channel": channel.pk, "department": department.pk}


def approve(count: int, first: int) -> dict:
    """``count`` posts written by the editor, submitted and approved by Koordination for "now"."""
    from django.contrib.auth import get_user_model

    from approvals import selectors, services
    from approvals.models import ReviewStep
    from channels.models import Channel
    from departments.models import Department
    from posts.services import post_create, post_submit

    User = get_user_model()
    editor, coordinator = User.objects.get(username="redaktion"), User.objects.get(username="koordination")
    department = Department.objects.get(code="GA")
    channels = list(Channel.objects.filter(kind="mastodon"))
    ids = []
    for n in range(first, first + count):
        post = post_create(
            actor=editor,
            department=department,
            title=f"Meldung {n}",
            text=TEXT.format(n=n),
            channels=channels,
        )
        post_submit(actor=editor, post=post)
        step = ReviewStep.objects.get(review__post=post, status=ReviewStep.Status.OPEN)
        warnings = [f for f in selectors.current_findings(post, planned_at=None) if selectors.is_warning(f)]
        services.step_approve(
            actor=coordinator,
            step=step,
            acknowledgements={selectors.finding_key(f): "Geprüft." for f in warnings},
            planned_at=None,  # publish now
            revision=step.review.revision_id,
        )
        ids.append(post.pk)
    return {"posts": ids}


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    first = commands.add_parser("setup")
    first.add_argument("--mastodon-url", required=True)
    first.add_argument("--mastodon-token", required=True)
    second = commands.add_parser("approve")
    second.add_argument("--posts", type=int, default=10)
    second.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    result = (
        setup(args.mastodon_url, args.mastodon_token)
        if args.command == "setup"
        else approve(args.posts, args.first)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
