"""The data the permission matrix, the fuzzing and the XSS tests walk the pages with.

Two departments (the cast's Gesundheitsamt and Straßenverkehrsamt), each with a draft carrying an image
and a captioned video, a post in review with a comment and an approved post with a failed delivery;
live channels, a published guide and a
draft version, a planned rollout phase, a sandbox post, a notification and an iCal address for every
member of the cast. The texts are parameters so that the XSS test can put its payloads into every one.
"""

from __future__ import annotations

import copy
import io
import struct
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

ROLES = ("anonymous", "editor", "head", "outsider", "coordinator", "press", "admin")
CLEAN_TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"


def png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def mp4() -> bytes:
    return struct.pack(">I4s4sI", 20, b"ftyp", b"isom", 0) + b"mp41" + struct.pack(">I4s", 8, b"moov")


def _approved_with_failed_delivery(author, department, coordinator, channels, *, title: str, text: str):
    """A post approved by Koordination (deliveries made by publishing), one delivery of it failed."""
    from approvals import selectors as review_selectors
    from approvals.models import ReviewStep
    from approvals.services import step_approve
    from posts.services import post_create, post_submit
    from publishing.models import Delivery
    from tests.approvals.conftest import staffed_time

    post = post_create(
        actor=author,
        department=department,
        title=title,
        text=text,
        channels=channels,
        planned_at=staffed_time(),
    )
    post_submit(actor=author, post=post)
    step = ReviewStep.objects.get(review__post=post, status=ReviewStep.Status.OPEN)
    warnings = [f for f in review_selectors.current_findings(post) if review_selectors.is_warning(f)]
    step_approve(
        actor=coordinator,
        step=step,
        acknowledgements={review_selectors.finding_key(f): "Geprüft." for f in warnings},
        revision=step.review.revision_id,
    )
    delivery = Delivery.objects.filter(post=post).order_by("pk").first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, last_error="Die Plattform hat den Beitrag abgelehnt.", attempt_count=1
    )
    post.refresh_from_db()
    delivery.refresh_from_db()
    return post, delivery


def _saved_reply(coordinator, department):
    from inbox.services import saved_reply_create

    return saved_reply_create(
        actor=coordinator, title=f"Textbaustein {department.code}", text="Danke!", department=department
    )


def _reply(author, item):
    """A reply of the department's editor to the item, waiting for approval (coordinated)."""
    from inbox.replying import reply_submit

    return reply_submit(actor=author, item=item, text="Danke für Ihre Frage, wir kümmern uns darum.")


def _inbox_item(channel, department, post, key: str):
    from django.utils import timezone

    from inbox.models import InboxItem

    now = timezone.now()
    return InboxItem.objects.create(
        channel=channel,
        network_id=f"matrix-{key}",
        kind=InboxItem.Kind.COMMENT,
        text="Gibt es noch Termine?",
        author_handle="@erika",
        received_at=now,
        conversation_key=f"item:matrix-{key}",
        post=post,
        department=department,
        due_at=now,
        remind_at=now,
        clock_starts_at=now,
    )


def build_world(
    cast,
    department,
    other_department,
    *,
    text: str = CLEAN_TEXT,
    title: str = "",
    alt_text: str = "Der helle Wartebereich mit zwölf Stühlen",
    credit: str = "Foto: Landkreis",
    comment: str = "Bitte prüfen.",
    variant: str = "",
    channel_names: tuple[str, str] = ("Mastodon Landkreis", "Facebook Landkreis"),
    guide_body: str = "# Etikette\n\nSachlich bleiben.",
    sandbox_text: str = "Test",
    captions: bytes = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n",
) -> dict:
    from channels.models import Channel, RolloutPhase, SandboxPost
    from etiquette.selectors import current_netiquette
    from etiquette.services import (
        guide_acknowledge,
        guide_version_create,
        guide_version_publish,
        netiquette_version_copy,
    )
    from notifications.models import Notification
    from posts import media
    from posts.selectors import media_public_url
    from posts.services import calendar_feed_renew, post_comment_add, post_create, post_submit
    from reports.models import CommitteeReport

    admin_user = cast["admin"]
    active = RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    planned = RolloutPhase.objects.create(order=1, name="Phase 1")
    channels = []
    for kind, name in zip(("mastodon", "facebook"), channel_names, strict=True):
        channel = Channel.objects.create(kind=kind, name=name, enabled=True)
        channel.departments.set([department, other_department])
        channels.append(channel)
    active.channels.set(channels)
    sandbox = Channel.objects.create(kind="sandbox", name="Testkanal")
    planned.channels.set([sandbox])

    version = guide_version_create(actor=admin_user, major=1, body=guide_body)
    guide = guide_version_publish(actor=admin_user, version=version)
    draft_guide = guide_version_create(actor=admin_user, major=2, body=guide_body + "\n\nEntwurf")
    for who in ("editor", "head", "outsider"):
        guide_acknowledge(actor=cast[who], version=guide)

    objects: dict[str, dict] = {}
    for key, dept, author in (
        ("own", department, cast["editor"]),
        ("other", other_department, cast["outsider"]),
    ):
        image = media.process_image(SimpleUploadedFile("bild.png", png((640, 480))))
        video = media.process_video(SimpleUploadedFile("film.mp4", mp4()))
        video.captions, video.captions_extension = media.process_captions(
            SimpleUploadedFile("film.vtt", captions)
        )
        draft = post_create(
            actor=author,
            department=dept,
            title=title or f"Entwurf {dept.code}",
            text=text,
            channels=channels,
            variants={channels[0].pk: variant} if variant else None,
            media_new=[
                (image, {"alt_text": alt_text, "credit": credit}),
                (video, {"alt_text": alt_text, "credit": credit}),
            ],
        )
        review = post_create(
            actor=author,
            department=dept,
            title=title or f"In Prüfung {dept.code}",
            text=text,
            channels=channels,
            variants={channels[0].pk: variant} if variant else None,
        )
        post_submit(actor=author, post=review)
        post_comment_add(actor=author, post=review, text=comment)
        approved, delivery = _approved_with_failed_delivery(
            author, dept, cast["coordinator"], channels, title=title or f"Freigegeben {dept.code}", text=text
        )
        image_medium, video_medium = draft.media.order_by("position")
        inbox_item = _inbox_item(channels[0], dept, approved, key)
        saved_reply = _saved_reply(cast["coordinator"], dept)
        reply = _reply(author, inbox_item)
        objects[key] = {
            "review": review,
            "draft": draft,
            "image": image_medium,
            "video": video_medium,
            "department": dept,
            "approved": approved,
            "delivery": delivery,
            "inbox_item": inbox_item,
            "saved_reply": saved_reply,
            "reply": reply,
        }
    signed = media_public_url(objects["own"]["image"]).split("/posts/media/public/")[1].rstrip("/")
    objects["own"]["signed_media"], objects["other"]["signed_media"] = signed, "forged-" + signed[7:]
    objects["own"]["guide"], objects["other"]["guide"] = guide, draft_guide
    netiquette = current_netiquette()  # version 1.0, installed by the migration
    draft_netiquette = netiquette_version_copy(actor=admin_user, version=netiquette)
    objects["own"]["netiquette"], objects["other"]["netiquette"] = netiquette, draft_netiquette
    objects["own"]["phase"], objects["other"]["phase"] = planned, active
    sandbox_post = SandboxPost.objects.create(channel=sandbox, text=sandbox_text)
    objects["own"]["sandbox_post"], objects["other"]["sandbox_post"] = sandbox_post.pk, sandbox_post.pk + 1000
    objects["other"]["feed"] = "0" * 40
    committee_report = CommitteeReport.objects.create(
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        pdf=b"%PDF-1.4 test",
        sha256="0" * 64,
        size=13,
        created_at=timezone.now(),
    )
    objects["own"]["committee_report"] = committee_report
    objects["other"]["committee_report"] = committee_report.pk + 1000

    notifications = {
        name: Notification.objects.create(
            recipient=user,
            kind=Notification.Kind.CHANGES_REQUESTED,
            post=objects["other" if name == "outsider" else "own"]["review"],
            actor_name=cast["coordinator"].get_full_name() or "Koordination",
            comment=comment,
            created_at=objects["own"]["review"].created_at,
        )
        for name, user in cast.items()
    }
    feeds = {name: calendar_feed_renew(actor=user).token for name, user in cast.items()}
    return {
        "cast": cast,
        "objects": objects,
        "notifications": notifications,
        "feeds": feeds,
        "channels": channels,
        "sandbox": sandbox,
    }


def default_world(cast, department, other_department, settings, tmp_path, **texts) -> dict:
    """For a module's ``world`` fixture: uploads go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(cast, department, other_department, **texts)


def role_objects(world, role: str) -> tuple[dict, dict]:
    """The (own, other) objects from the point of view of ``role``: the outsider's own department is
    the Straßenverkehrsamt, everybody else's the Gesundheitsamt."""
    own, other = world["objects"]["own"], world["objects"]["other"]
    return (other, own) if role == "outsider" else (own, other)


def object_value(world, role: str, kind: str, which: str):
    own, other = role_objects(world, role)
    if kind == "notification":
        mine = world["notifications"]["admin" if role == "anonymous" else role]
        someone_else = world["notifications"]["coordinator" if role == "admin" else "admin"]
        return mine if which == "own" else someone_else
    if kind == "feed":
        token = world["feeds"]["editor" if role == "anonymous" else role]
        return token if which == "own" else world["objects"]["other"]["feed"]
    if kind in ("signed_media", "guide", "phase", "sandbox_post", "committee_report", "netiquette"):
        return world["objects"][which][kind]
    return (own if which == "own" else other)[kind]


def url_for(view: str, value) -> str:
    if value is None:
        return reverse(view)
    identifier = value if isinstance(value, str | int) else value.pk
    name = "token" if isinstance(identifier, str) else "pk"
    return reverse(view, kwargs={name: identifier})


def status_of(response) -> str:
    """``login`` is the redirect that asks for a login and comes back (``?next=``); the redirect after
    logging out, for example, is an ordinary ``302``."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/accounts/login/?next=", "/admin/login/?next=")):
            return "login"
        return "302"
    return str(response.status_code)


def request_in_savepoint(client, method: str, url: str, data: dict | None = None, **extra):
    """One request whose changes are rolled back afterwards, with the client's cookies as before (a
    logout or a new session id would otherwise carry over to the next request)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method.lower())(url, data or {}, **extra)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def login_as(client, world, role: str) -> None:
    if role != "anonymous":
        client.force_login(world["cast"][role])
