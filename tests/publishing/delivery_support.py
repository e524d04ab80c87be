"""Helpers of the delivery tests: live channels on the fake servers, posts approved through the real
review services, Celery beat as a process of its own, waiting for the database.

Tests with real workers use ``celery_worker_process`` (tests/conftest.py) and start the workers with
:data:`WORKER_ENV`: short network timeout, lease, backoff and requeue times, so that a crash or a
flushed broker is recovered in seconds instead of minutes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals.models import Review, ReviewStep
from channels import services
from channels.models import Channel, RolloutPhase
from posts.models import Post
from publishing import delivery_services
from publishing.models import Delivery

# Enough text that the readability rule leaves it alone, nothing any default etiquette rule objects to.
CLEAN_TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"

# The worker's (and beat's) environment in these tests; the production defaults are in settings.py.
WORKER_ENV = {
    "LANDKREIS_NETWORK_TIMEOUT": "1.5",
    "LANDKREIS_DELIVERY_LEASE_SECONDS": "6",
    "LANDKREIS_RETRY_BASE_SECONDS": "0.5",
    "LANDKREIS_RETRY_MAX_SECONDS": "1",
    "LANDKREIS_DELIVERY_MAX_ATTEMPTS": "4",
    "LANDKREIS_REQUEUE_SECONDS": "2",
    "LANDKREIS_SWEEP_SECONDS": "1",
    # The built-in limits (X: 100 a day) are not what these tests are about; test_delivery_rate_limit is.
    "LANDKREIS_RATE_LIMITS": "x=100000/60,mastodon=100000/60,facebook=100000/60",
}


def worker_env(**overrides) -> dict:
    return {
        **WORKER_ENV,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **{k: str(v) for k, v in overrides.items()},
    }


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns something true; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"condition not met within {timeout} s")
        time.sleep(interval)


def statuses(post=None) -> dict[str, str]:
    queryset = Delivery.objects.select_related("channel")
    if post is not None:
        queryset = queryset.filter(post=post)
    return {d.channel.kind: d.status for d in queryset}


# --- channels and posts ------------------------------------------------------------------------------------


@pytest.fixture
def role_groups(transactional_db):
    """Transactional tests empty the database afterwards, the role groups of the data migration
    included: they are made again (as in tests/publishing/test_browser.py)."""
    from django.contrib.auth.models import Group

    from departments import roles

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def live_channels(db, admin_user, department):
    """``live_channels(fake, …)``: a channel per fake server, live for the cast's department (an active
    rollout phase), created through the channel services."""
    made: dict[str, Channel] = {}

    def make(*fakes, phase_name: str = "Phase 0") -> dict[str, Channel]:
        created = []
        for fake in fakes:
            kwargs = fake.channel_kwargs()
            channel = services.channel_create(
                actor=admin_user, name=f"{kwargs['kind']} Landkreis", departments=[department], **kwargs
            )
            made[channel.kind] = channel
            created.append(channel)
        phase = RolloutPhase.objects.filter(name=phase_name).first()
        if phase is None:
            order = RolloutPhase.objects.count()
            phase = services.phase_create(
                actor=admin_user, order=order, name=phase_name, channels=created, departments=[department]
            )
            services.phase_activate(actor=admin_user, phase=phase)
        else:
            services.phase_update(
                actor=admin_user,
                phase=phase,
                channels=[*phase.channels.all(), *created],
                departments=[department],
            )
        return made

    return make


@pytest.fixture
def guide(db, admin_user):
    from etiquette.services import guide_version_create, guide_version_publish

    version = guide_version_create(actor=admin_user, major=1, body="# Etikette\n\nSachlich bleiben.")
    return guide_version_publish(actor=admin_user, version=version)


@pytest.fixture
def write_post(editor, department, guide):
    """``write_post(channels, text=…, planned_at=None, title=…)``: a draft of the editor."""
    from etiquette.services import guide_acknowledge
    from posts.services import post_create

    guide_acknowledge(actor=editor, version=guide)

    def make(channels, *, text: str = CLEAN_TEXT, title: str = "Neue Impftermine", planned_at=None, **extra):
        return post_create(
            actor=editor,
            department=department,
            title=title,
            text=text,
            channels=list(channels),
            planned_at=planned_at,
            **extra,
        )

    return make


def submit_and_approve(post: Post, *, by, planned_at=approval_selectors.KEEP, before_approval=None) -> Post:
    """Submit ``post`` as its author and approve every review step as ``by`` (Koordination), giving a
    reason for each etiquette warning – the real review services, in their transactions.
    ``before_approval()`` runs between submission and approval."""
    from posts.services import post_submit

    findings = post_submit(actor=post.author, post=post)
    if before_approval is not None:
        before_approval()
    review = Review.objects.filter(post=post, status=Review.Status.OPEN).first()
    if review is None:  # until post_submit opens the review itself (approvals integration)
        review = approval_services.review_open(
            actor=post.author,
            post=post,
            revision=post.revisions.order_by("-number").first(),
            findings=findings,
        )
    while True:
        step = review.steps.filter(status=ReviewStep.Status.OPEN).first()
        if step is None:
            break
        is_last = not review.steps.filter(status=ReviewStep.Status.WAITING).exists()
        current = approval_selectors.current_findings(
            post, planned_at=planned_at if is_last else approval_selectors.KEEP
        )
        acknowledgements = {
            approval_selectors.finding_key(f): "Im Test bewusst so."
            for f in current
            if approval_selectors.is_warning(f)
        }
        approval_services.step_approve(
            actor=by,
            step=step,
            acknowledgements=acknowledgements,
            planned_at=planned_at if is_last else approval_selectors.KEEP,
        )
        review.refresh_from_db()
    post.refresh_from_db()
    return post


def approved_posts_in_bulk(n: int, *, channels, author, department, planned_at=None) -> list[Post]:
    """``n`` approved posts with distinct texts and their deliveries (created by the delivery
    service, queued on commit) – for the tests that need hundreds; the review flow is tested elsewhere."""
    from django.db import transaction

    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            department=department,
            author=author,
            title=f"Meldung {i}",
            text=f"Meldung Nummer {i}: Das Bürgerbüro hat am Montag bis 18 Uhr geöffnet.",
            status=Post.Status.APPROVED,
            planned_at=planned_at,
            submitted_at=now,
        )
        for i in range(n)
    )
    through = Post.channels.through
    through.objects.bulk_create(through(post_id=p.pk, channel_id=c.pk) for p in posts for c in channels)
    with transaction.atomic():
        for post in posts:
            delivery_services.deliveries_create_for_post(actor=None, post=post)
    return posts


# --- beat, and killing a worker --------------------------------------------------------------------------


@pytest.fixture
def beat_process(celery_worker_process, tmp_path):
    """``start_beat(env=None)``: Celery beat in a process of its own, sending the sweep every
    ``LANDKREIS_SWEEP_SECONDS`` (1 s here) to this test's queue."""
    processes: list[subprocess.Popen] = []
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )

    def start(env: dict | None = None) -> subprocess.Popen:
        log = tmp_path / "beat.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "landkreis_social",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(tmp_path / "celerybeat-schedule"),
            ],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "landkreis_social.settings",
                "DATABASE_URL": database_url,
                "CELERY_BROKER_URL": celery_worker_process.broker,
                "REDIS_URL": celery_worker_process.broker,
                "CELERY_TASK_DEFAULT_QUEUE": celery_worker_process.queue,
                "LANDKREIS_VAR_DIR": str(tmp_path / "beat-var"),
                **worker_env(),
                **(env or {}),
            },
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=str(settings.BASE_DIR),
        )
        proc.log_path = log
        processes.append(proc)
        return proc

    yield start
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc; no extra library)."""
    result, todo = [], [pid]
    while todo:
        current = todo.pop()
        result.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            todo.extend(int(child) for child in children)
    return result


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a worker and its pool processes at once: no task gets to finish or to clean up."""
    for pid in process_tree(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
