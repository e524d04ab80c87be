"""Demo data for the inbox (``make demo`` / ``seed_demo``): a post of the Gesundheitsamt published on the
sandbox channel through the real review and delivery services, citizens' comments under it on the
sandbox feed, and one fetch of the sandbox channel – the same path a network's comments take
(adapter → ``fetch_inbox`` → cursor → upsert → routed to the Gesundheitsamt with its clock)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals.models import Review, ReviewStep
from channels.demo import SANDBOX_NAME
from channels.models import Channel
from departments.models import Department
from posts import services as post_services
from posts.models import Post
from publishing.models import Delivery
from publishing.tasks import run_delivery

from . import fetching, services
from .models import SandboxComment

TITLE = "Grippeschutzimpfung im Kreishaus"  # not the staff journey's title (tests/browser)
TEXT = (
    "Ab Montag impft das Gesundheitsamt im Kreishaus gegen Grippe, montags bis donnerstags von 8 bis "
    "15 Uhr. Bitte bringen Sie Ihren Impfpass mit."
)
COMMENTS = (
    ("Erika M.", "Braucht man einen Termin oder kann man einfach vorbeikommen?", None),
    ("Jonas K.", "Gilt das auch für Kinder unter 12?", None),
    ("Hanne B.", "Ich war letzte Woche da, ging ganz schnell. Danke!", None),
    ("Paul R.", "@Erika M. Ich glaube ohne Termin, aber das Amt weiß es sicher genauer.", 0),
)


def _publish_demo_post(author, coordinator, department, sandbox) -> Post | None:
    post = Post.objects.filter(department=department, title=TITLE).first()
    if post is None:
        post = post_services.post_create(
            actor=author, department=department, title=TITLE, text=TEXT, channels=[sandbox]
        )
        findings = post_services.post_submit(actor=author, post=post)
        review = Review.objects.filter(post=post, status=Review.Status.OPEN).first()
        if review is None:
            review = approval_services.review_open(
                actor=author,
                post=post,
                revision=post.revisions.order_by("-number").first(),
                findings=findings,
            )
        while (step := review.steps.filter(status=ReviewStep.Status.OPEN).first()) is not None:
            is_last = not review.steps.filter(status=ReviewStep.Status.WAITING).exists()
            planned = None if is_last else approval_selectors.KEEP
            warnings = [
                f
                for f in approval_selectors.current_findings(post, planned_at=planned)
                if approval_selectors.is_warning(f)
            ]
            approval_services.step_approve(
                actor=coordinator,
                step=step,
                acknowledgements={approval_selectors.finding_key(f): "Demo" for f in warnings},
                planned_at=planned,
            )
            review.refresh_from_db()
    for delivery in Delivery.objects.filter(post=post, channel=sandbox).exclude(
        status=Delivery.Status.PUBLISHED
    ):
        run_delivery(delivery.pk, worker="seed_demo")
    return post


def seed(*, actor, stdout=None) -> None:
    User = get_user_model()
    author = User.objects.filter(username="redaktion").first()
    coordinator = User.objects.filter(username="koordination").first()
    department = Department.objects.filter(code="GA").first()
    sandbox = Channel.objects.filter(name=SANDBOX_NAME).first()
    if None in (author, coordinator, department, sandbox):
        return
    try:
        post = _publish_demo_post(author, coordinator, department, sandbox)
    except ValidationError as exc:  # e.g. the etiquette guide not acknowledged: no demo comments then
        if stdout:
            stdout.write(f"  inbox demo skipped: {'; '.join(exc.messages)}")
        return
    delivery = Delivery.objects.filter(post=post, channel=sandbox, status=Delivery.Status.PUBLISHED).first()
    if delivery is None:
        return
    sandbox_post_id = int(delivery.external_id)
    if not SandboxComment.objects.filter(channel=sandbox, sandbox_post_id=sandbox_post_id).exists():
        made = []
        for name, text, parent in COMMENTS:
            made.append(
                services.sandbox_comment_create(
                    actor=actor,
                    channel=sandbox,
                    sandbox_post_id=sandbox_post_id,
                    author_handle=name,
                    text=text,
                    parent=made[parent] if parent is not None else None,
                )
            )
    result = fetching.fetch_channel(sandbox.pk)
    if stdout:
        stdout.write(
            f"  sandbox post {sandbox_post_id} with citizens' comments; fetched {result.created} into the inbox"
        )
