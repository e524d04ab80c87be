"""Bulk test data for benchmarks: many posts in many departments, fast.

    DJANGO_DEBUG=true .venv/bin/python manage.py seed_scale --posts 100000 --departments 40 --users 400

Unlike ``seed_demo`` this does not go through the services: one post at a time would take hours for
100,000 posts and write half a million audit events. It inserts rows in batches (PostgreSQL: ``COPY``; elsewhere ``bulk_create``)
(the model's own ``save`` logic is not needed: the rows are built consistent here) and writes a
single audit event ``scale.seeded`` with the counts, so that the audit trail says the data is synthetic
and the hash chain stays intact.

What it makes, all named with ``--prefix`` (default ``skal``) so that it does not collide with the
demo and can be run again with another prefix:

- ``--departments`` departments (a quarter review autonomously), ``--users`` staff spread over them
  (every tenth a department head; some in two departments), with the memberships' object
  permissions and role groups, plus ``<prefix>-koordination``, ``-presse`` and ``-admin``;
- the live channels that exist, or else an active rollout phase with six channels for the departments;
- ``--posts`` posts spread evenly over ``--months`` months back and two months ahead (weekdays, office
  hours); past ones mostly published (some withdrawn, rejected, failed), future ones drafts, in review,
  scheduled or sent back for changes; one to three channels each, some text variants and comments;
- a revision for every submitted post, a review with its steps (open ones in the queue for in-review
  posts; decided ones otherwise, with the deciding reviewer), and deliveries for published posts.

Every user gets the password ``demo-passwort``; therefore it refuses to run with DEBUG off unless
``--force`` is given (benchmarks, tests).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections import namedtuple
from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import UserObjectPermission
from psycopg import sql

from approvals.models import Review, ReviewStep
from audit.services import audit_record
from channels.models import Channel, RolloutPhase
from channels.permissions import sync_channel_permissions
from channels.selectors import live_channels
from departments import roles
from departments.models import Department, Membership
from posts.models import Comment, Post, PostVariant, Revision
from publishing.models import Delivery, DeliveryAttempt

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "demo-passwort"  # noqa: S105 - the published demo password; refused without DEBUG or --force
BATCH = 5000

DEPARTMENT_NAMES = (
    "Gesundheitsamt",
    "Straßenverkehrsamt",
    "Jugendamt",
    "Ordnungsamt",
    "Schulamt",
    "Umweltamt",
    "Kreisentwicklung",
    "Bauamt",
    "Sozialamt",
    "Veterinäramt",
    "Kreisarchiv",
    "Kreismusikschule",
    "Abfallwirtschaft",
    "Katasteramt",
    "Kämmerei",
    "Personalamt",
    "Wirtschaftsförderung",
    "Naturschutzbehörde",
    "Bürgerservice",
    "Jobcenter",
)
FIRST_NAMES = ("Anna", "Jonas", "Lena", "Paul", "Marie", "Felix", "Sophie", "Lukas", "Hannah", "Tim")
LAST_NAMES = ("Meyer", "Schulz", "Wichmann", "Brandt", "Köhler", "Tietjen", "Behrens", "Gerdes")
TITLES = (
    "Neue Öffnungszeiten",
    "Impftermine",
    "Sperrung der Kreisstraße",
    "Tag der offenen Tür",
    "Sturmwarnung",
    "Abfuhrkalender",
    "Infoabend für Eltern",
    "Stellenangebot",
    "Baustelle",
    "Bürgersprechstunde",
)
SENTENCES = (
    "Die Zulassungsstelle in Zeven hat ab dem 3. März neue Öffnungszeiten.",
    "Das Gesundheitsamt bietet jeden Dienstag eine kostenlose Impfberatung an.",
    "Die Kreisstraße 12 ist wegen Bauarbeiten bis Freitag gesperrt.",
    "Eine Umleitung ist ausgeschildert.",
    "Am Samstag ist Tag der offenen Tür im Kreishaus.",
    "Ab April wird die Biotonne im Sommer jede Woche geleert.",
    "Der Deutsche Wetterdienst warnt vor Sturmböen am Nachmittag.",
    "Das Jugendamt lädt Eltern zu einem Infoabend ein.",
    "Bitte bringen Sie Ihren Personalausweis mit.",
    "Termine buchen Sie online auf https://www.lk-row.de/termine.",
)
CHANNEL_KINDS = (
    ("sandbox", "Testkanal"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("mastodon", "Mastodon"),
    ("x", "X"),
    ("bluesky", "Bluesky"),
)
S = Post.Status
# Posts are spread evenly over time (the same number per day, from ``--months`` back to
# FUTURE_DAYS ahead); what happened to a post depends on whether its time has passed.
FUTURE_DAYS = 60
PAST_MIX = ((S.PUBLISHED, 0.88), (S.WITHDRAWN, 0.04), (S.REJECTED, 0.04), (S.PARTIALLY_FAILED, 0.03))
PAST_REST = S.FAILED
FUTURE_MIX = ((S.DRAFT, 0.40), (S.IN_REVIEW, 0.25), (S.SCHEDULED, 0.20), (S.CHANGES_REQUESTED, 0.10))
FUTURE_REST = S.REJECTED
PAST_STATUSES = {S.PUBLISHED, S.WITHDRAWN, S.PARTIALLY_FAILED, S.FAILED}
WARNING = {
    "rule": "tone.shouting",
    "severity": "warn",
    "channel": None,
    "message": "Bitte sachlich bleiben: mehrere Ausrufezeichen wirken wie Schreien.",
    "message_en": "",
    "start": None,
    "end": None,
    "in_variant": False,
    "routes_to_press": False,
    "media_index": None,
    "suggestion": "",
}


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let ``bulk_create`` keep the ``auto_now``/``auto_now_add`` values set on the objects (history)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


PostRow = namedtuple(
    "PostRow",
    "pk department_id author_id title text link planned_at press_relevant status created_at updated_at "
    "submitted_at published_at",
)


class RowWriter:
    """Inserts plain tuples fast: PostgreSQL's COPY, elsewhere ``bulk_create``.

    Ids are taken from the table's sequence beforehand (``ids``), so that rows can refer to each other
    without reading anything back. Column names are attribute names (``post_id``); ``auto_now`` fields
    keep the values given.
    """

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[type, int] = {}

    def ids(self, model, count: int) -> list[int]:
        if count == 0:
            return []
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self._next_id:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self._next_id[model] = last + 1
        first = self._next_id[model]
        self._next_id[model] = first + count
        return list(range(first, first + count))

    def insert(self, model, attnames, rows) -> None:
        """Insert ``rows`` (tuples in the order of ``attnames``); the model's other columns get their
        default (COPY does not apply Django's defaults by itself)."""
        if not rows:
            return
        given = [model._meta.get_field("id" if name == "pk" else name) for name in attnames]
        rest = [
            f
            for f in model._meta.concrete_fields
            if f not in given and not f.primary_key and (f.has_default() or not f.null)
        ]
        now = timezone.now()
        extra = tuple(
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            for f in rest
        )
        fields = given + rest
        if not self.postgres:
            names = [f.attname for f in fields]
            objects = [model(**dict(zip(names, row + extra, strict=True))) for row in rows]
            with explicit_timestamps(model):
                model.objects.bulk_create(objects, batch_size=500)
            return
        json_columns = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                row = list(row) + list(extra)
                for i in json_columns:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)


class Command(BaseCommand):
    help = "Bulk-insert many departments, users and posts for benchmarks (DEBUG only unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=10000, help="number of posts (default 10000)")
        parser.add_argument("--departments", type=int, default=20, help="number of departments (default 20)")
        parser.add_argument("--users", type=int, default=200, help="department staff (default 200)")
        parser.add_argument("--months", type=int, default=24, help="history in months (default 24)")
        parser.add_argument("--prefix", default="skal", help="prefix of names and codes (default skal)")
        parser.add_argument("--seed", type=int, default=2027, help="random seed (same data every run)")
        parser.add_argument("--force", action="store_true", help="run with DEBUG off (benchmarks, tests)")

    def handle(self, *args, posts, departments, users, months, prefix, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_scale creates users with a published password and runs only with DJANGO_DEBUG=true "
                "(or --force for benchmarks and tests)."
            )
        if posts < 0 or departments < 1 or users < departments or months < 1:
            raise CommandError("Need --departments ≥ 1, --users ≥ --departments, --months ≥ 1, --posts ≥ 0.")
        if not prefix.isascii() or not prefix.replace("-", "").isalnum() or len(prefix) > 10:
            raise CommandError("--prefix: up to 10 letters, digits or hyphens.")
        if Department.objects.filter(code__startswith=f"{prefix}-").exists():
            raise CommandError(f"Data with the prefix {prefix!r} exists already; choose another --prefix.")
        started = time.perf_counter()
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        seeder = Seeder(prefix=prefix, rng=rng, months=months, stdout=self.stdout)
        with transaction.atomic():  # all or nothing: a failed run leaves no half-seeded prefix behind
            seeder.people(departments=departments, users=users)
            seeder.channels()
            seeder.posts(posts)
            audit_record(
                actor=None,
                verb="scale.seeded",
                after={"prefix": prefix, **seeder.counts},
                comment="Synthetic data for benchmarks (manage.py seed_scale).",
            )
            inserted = time.perf_counter()
        self.stdout.write(f"  commit (foreign keys checked) {time.perf_counter() - inserted:.1f} s")
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{value} {name}" for name, value in seeder.counts.items())
        self.stdout.write(self.style.SUCCESS(f"seed_scale: {summary} in {seconds:.1f} s"))


class Seeder:
    def __init__(self, *, prefix: str, rng: random.Random, months: int, stdout):
        self.prefix = prefix
        self.rng = rng
        self.months = months
        self.stdout = stdout
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.rows = RowWriter()

    def count(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number

    # --- departments, people, channels ----------------------------------------------------------------

    def people(self, *, departments: int, users: int) -> None:
        prefix = self.prefix
        made = []
        for index in range(departments):
            base = DEPARTMENT_NAMES[index % len(DEPARTMENT_NAMES)]
            made.append(
                Department(
                    name=f"{base} ({prefix} {index + 1:03d})",
                    code=f"{prefix}-{index + 1:03d}",
                    review_mode=(
                        Department.ReviewMode.AUTONOMOUS
                        if index % 4 == 3
                        else Department.ReviewMode.COORDINATED
                    ),
                )
            )
        self.departments = Department.objects.bulk_create(made)
        self.count("departments", len(self.departments))

        User = get_user_model()
        password = make_password(PASSWORD)
        staff = [
            User(
                username=f"{prefix}-{index + 1:05d}",
                first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)],
                email=f"{prefix}-{index + 1:05d}@landkreis.example",
                password=password,
            )
            for index in range(users)
        ]
        county = [
            User(username=f"{prefix}-{name}", first_name=name.capitalize(), password=password, **extra)
            for name, extra in (
                ("koordination", {}),
                ("presse", {}),
                ("admin", {"is_staff": True, "is_superuser": True}),
            )
        ]
        created = User.objects.bulk_create(staff + county)
        self.staff, (self.coordinator, self.press, self.admin) = created[:users], created[users:]
        self.count("users", len(created))

        memberships = []
        for index, user in enumerate(self.staff):
            department = self.departments[index % len(self.departments)]
            # Every department gets its head first (index < departments), then every tenth is a head.
            role = Membership.Role.HEAD if index < len(self.departments) or index % 10 == 0 else "editor"
            memberships.append(Membership(user=user, department=department, role=role))
            if index % 7 == 0 and len(self.departments) > 1:
                second = self.departments[(index + 1) % len(self.departments)]
                memberships.append(Membership(user=user, department=second, role=Membership.Role.EDITOR))
        Membership.objects.bulk_create(memberships)
        self.count("memberships", len(memberships))

        # What departments.services does per membership: object permissions and the role groups.
        department_type = ContentType.objects.get_for_model(Department)
        perms = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type=department_type, codename__in=["draft_posts", "lead_department"]
            )
        }
        grants, group_rows = [], set()
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_GROUPS)}
        for membership in memberships:
            codenames = ["draft_posts"] + (["lead_department"] if membership.role == "head" else [])
            for codename in codenames:
                grants.append(
                    UserObjectPermission(
                        user=membership.user,
                        permission=perms[codename],
                        content_type=department_type,
                        object_pk=str(membership.department.pk),
                    )
                )
            group = roles.FACHBEREICHSLEITUNG if membership.role == "head" else roles.REDAKTION
            group_rows.add((membership.user.pk, groups[group].pk))
        for user, group in (
            (self.coordinator, roles.KOORDINATION),
            (self.press, roles.PRESSESTELLE),
            (self.admin, roles.ADMINISTRATION),
        ):
            group_rows.add((user.pk, groups[group].pk))
        UserObjectPermission.objects.bulk_create(grants, batch_size=BATCH)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u, group_id=g) for u, g in sorted(group_rows)], batch_size=BATCH
        )
        self.members_of: dict[int, list] = {}
        self.heads_of: dict[int, list] = {}
        for membership in memberships:
            self.members_of.setdefault(membership.department.pk, []).append(membership.user)
            if membership.role == "head":
                self.heads_of.setdefault(membership.department.pk, []).append(membership.user)

    def channels(self) -> None:
        """The channels that are live now, or else a Phase 0 of our own with six channels."""
        existing = list(live_channels().order_by("pk"))
        if existing:
            self.channel_list = existing
        else:
            order = (RolloutPhase.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
            phase = RolloutPhase.objects.create(
                order=order if RolloutPhase.objects.exists() else 0,
                name=f"Skalierung ({self.prefix})",
                status=RolloutPhase.Status.ACTIVE,
                activated_at=self.now,
            )
            self.channel_list = Channel.objects.bulk_create(
                [
                    Channel(kind=kind, name=f"{label} Landkreis ({self.prefix})", enabled=True)
                    for kind, label in CHANNEL_KINDS
                ]
            )
            phase.channels.set(self.channel_list)
            self.count("channels", len(self.channel_list))
        for channel in self.channel_list:
            channel.departments.add(*self.departments)
            sync_channel_permissions(channel)

    # --- posts -------------------------------------------------------------------------------------------

    def _status(self, mix, rest) -> str:
        roll, total = self.rng.random(), 0.0
        for status, share in mix:
            total += share
            if roll < total:
                return status
        return rest

    def _office_time(self, day_offset: int) -> datetime:
        day = (self.now.astimezone(BERLIN) + timedelta(days=day_offset)).date()
        while day.weekday() >= 5:
            day += timedelta(days=1)
        moment = dtime(self.rng.randint(8, 15), self.rng.choice((0, 15, 30, 45)))
        return datetime.combine(day, moment, tzinfo=BERLIN)

    def _post(self, pk: int, index: int) -> tuple:
        rng = self.rng
        department = self.departments[index % len(self.departments)]
        author = rng.choice(self.members_of[department.pk])
        day = rng.randint(-self.months * 30, FUTURE_DAYS)
        planned = self._office_time(day)
        if planned <= self.now:
            status = self._status(PAST_MIX, PAST_REST)
        else:
            status = self._status(FUTURE_MIX, FUTURE_REST)
            if status == S.DRAFT and rng.random() < 0.3:
                planned = None  # "as soon as it is approved"
        created = (planned or self.now) - timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600))
        created = min(created, self.now - timedelta(minutes=5))
        published = (
            planned + timedelta(seconds=rng.randint(5, 90)) if status in (S.PUBLISHED, S.WITHDRAWN) else None
        )
        text = " ".join(rng.sample(SENTENCES, rng.randint(2, 4))) + (" #Landkreis" if index % 5 == 0 else "")
        return PostRow(
            pk=pk,
            department_id=department.pk,
            author_id=author.pk,
            title=f"{rng.choice(TITLES)} {index + 1}",
            text=text,
            link="https://www.lk-row.de/aktuelles" if index % 3 == 0 else "",
            planned_at=planned,
            press_relevant=index % 40 == 0,
            status=status,
            created_at=created,
            updated_at=min(published or created + timedelta(hours=2), self.now),
            submitted_at=created + timedelta(hours=1) if status != S.DRAFT else None,
            published_at=published,
        )

    def posts(self, total: int) -> None:
        for offset in range(0, total, BATCH):
            started = time.perf_counter()
            self._batch(range(offset, min(offset + BATCH, total)))
            self.stdout.write(
                f"  posts {min(offset + BATCH, total):>7} / {total} ({time.perf_counter() - started:.1f} s)"
            )

    def _batch(self, indexes: range) -> None:
        rng, rows = self.rng, self.rows
        post_ids = rows.ids(Post, len(indexes))
        posts = [self._post(pk, index) for pk, index in zip(post_ids, indexes, strict=True)]
        rows.insert(Post, PostRow._fields, posts)
        self.count("posts", len(posts))

        chosen: dict[int, list[Channel]] = {}
        links, variants, comments = [], [], []
        for post in posts:
            channels = rng.sample(self.channel_list, min(len(self.channel_list), rng.randint(1, 3)))
            chosen[post.pk] = channels
            links += [(post.pk, c.pk) for c in channels]
            if rng.random() < 0.1:
                variants.append((post.pk, channels[0].pk, post.text[:200]))
            if rng.random() < 0.1:
                author = rng.choice(self.members_of[post.department_id])
                comments.append(
                    (
                        post.pk,
                        author.pk,
                        "Bitte noch den Link prüfen.",
                        post.created_at + timedelta(minutes=30),
                    )
                )
        rows.insert(Post.channels.through, ("post_id", "channel_id"), links)
        rows.insert(PostVariant, ("post_id", "channel_id", "text"), variants)
        rows.insert(Comment, ("post_id", "author_id", "text", "created_at"), comments)
        self.count("channel links", len(links))
        self.count("variants", len(variants))
        self.count("comments", len(comments))

        submitted = [p for p in posts if p.status != S.DRAFT]
        revision_ids = rows.ids(Revision, len(submitted))
        rows.insert(
            Revision,
            (
                "id",
                "post_id",
                "number",
                "created_by_id",
                "created_at",
                "reason",
                "snapshot",
                "changed_fields",
            ),
            [
                (
                    revision_id,
                    post.pk,
                    1,
                    post.author_id,
                    post.submitted_at,
                    "submitted",
                    {
                        "title": post.title,
                        "text": post.text,
                        "link": post.link,
                        "channels": [c.name for c in chosen[post.pk]],
                        "variants": {},
                        "planned_at": post.planned_at.isoformat() if post.planned_at else None,
                        "press_relevant": post.press_relevant,
                        "media": [],
                    },
                    [],
                )
                for revision_id, post in zip(revision_ids, submitted, strict=True)
            ],
        )
        self.count("revisions", len(submitted))
        self._reviews(submitted, revision_ids)
        self._deliveries(posts, chosen)

    def _reviews(self, posts: list, revision_ids: list[int]) -> None:
        rows = self.rows
        review_ids = rows.ids(Review, len(posts))
        reviews, steps = [], []
        for post, revision_id, review_id in zip(posts, revision_ids, review_ids, strict=True):
            department = self.departments_by_pk[post.department_id]
            autonomous = department.review_mode == Department.ReviewMode.AUTONOMOUS
            warnings = [WARNING] if post.pk % 6 == 0 else []
            status = {
                S.IN_REVIEW: Review.Status.OPEN,
                S.CHANGES_REQUESTED: Review.Status.CHANGES_REQUESTED,
                S.REJECTED: Review.Status.REJECTED,
            }.get(post.status, Review.Status.APPROVED)
            finished = post.submitted_at + timedelta(hours=3) if status != Review.Status.OPEN else None
            first_kind = ReviewStep.Kind.DEPARTMENT_HEAD if autonomous else ReviewStep.Kind.COORDINATION
            decider = self.rng.choice(self.heads_of[department.pk]) if autonomous else self.coordinator
            if decider.pk == post.author_id:  # four eyes
                decider = self.admin
            reviews.append(
                (
                    review_id,
                    post.pk,
                    revision_id,
                    revision_id,
                    status,
                    department.review_mode,
                    post.press_relevant,
                    warnings,
                    len(warnings),
                    post.submitted_at,
                    post.author_id,
                    finished,
                    decider.pk if finished else None,
                )
            )
            kinds = [first_kind] + ([ReviewStep.Kind.PRESS] if post.press_relevant else [])
            for position, kind in enumerate(kinds):
                if status == Review.Status.OPEN:
                    step_status = ReviewStep.Status.OPEN if position == 0 else ReviewStep.Status.WAITING
                elif status == Review.Status.APPROVED:
                    step_status = ReviewStep.Status.APPROVED
                elif position == 0:
                    step_status = status  # changes requested / rejected at the first step
                else:
                    step_status = ReviewStep.Status.SKIPPED
                decided = step_status in ReviewStep.DECIDED
                deciding = (self.press if kind == ReviewStep.Kind.PRESS else decider) if decided else None
                steps.append(
                    (
                        review_id,
                        position,
                        kind,
                        step_status,
                        post.submitted_at if position == 0 or decided else None,
                        finished if decided else None,
                        deciding.pk if deciding else None,
                        revision_id if decided else None,
                        "Bitte die Uhrzeit anpassen." if step_status == "changes_requested" else "",
                    )
                )
        rows.insert(
            Review,
            (
                "id",
                "post_id",
                "revision_id",
                "submitted_revision_id",
                "status",
                "mode",
                "press_relevant",
                "findings",
                "warning_count",
                "opened_at",
                "opened_by_id",
                "finished_at",
                "finished_by_id",
            ),
            reviews,
        )
        rows.insert(
            ReviewStep,
            (
                "review_id",
                "position",
                "kind",
                "status",
                "activated_at",
                "decided_at",
                "decided_by_id",
                "revision_id",
                "comment",
            ),
            steps,
        )
        self.count("reviews", len(reviews))
        self.count("review steps", len(steps))

    def _deliveries(self, posts: list, chosen: dict[int, list[Channel]]) -> None:
        """One delivery per post and channel once a post is approved, with one attempt for each that
        was sent: published, withdrawn (after publication) or failed; pending for scheduled posts."""
        Attempt = DeliveryAttempt
        D, A = Delivery.Status, Attempt.Outcome
        deliveries, attempts = [], []
        went_out = [p for p in posts if p.status in PAST_STATUSES or p.status == S.SCHEDULED]
        pairs = [(post, channel) for post in went_out for channel in chosen[post.pk]]
        ids = self.rows.ids(Delivery, len(pairs))
        for delivery_id, (post, channel) in zip(ids, pairs, strict=True):
            first = channel.pk == chosen[post.pk][0].pk
            if post.status == S.SCHEDULED:
                status = D.PENDING
            elif post.status == S.FAILED or (post.status == S.PARTIALLY_FAILED and first):
                status = D.FAILED
            elif post.status == S.WITHDRAWN:
                status = D.WITHDRAWN
            else:
                status = D.PUBLISHED
            sent = status != D.PENDING
            at = post.planned_at + timedelta(seconds=self.rng.randint(2, 60)) if sent else None
            ok = status in (D.PUBLISHED, D.WITHDRAWN)
            error = "Die Plattform hat den Beitrag abgelehnt (400)." if status == D.FAILED else ""
            deliveries.append(
                (
                    delivery_id,
                    post.pk,
                    channel.pk,
                    status,
                    post.planned_at,
                    None if sent else post.planned_at,
                    1 if sent else 0,
                    1 if sent else 0,
                    f"{post.pk}{channel.pk:04d}" if ok else "",
                    f"https://social.example/{channel.kind}/{post.pk}" if ok else "",
                    at if ok else None,
                    error,
                    at + timedelta(days=3) if status == D.WITHDRAWN else None,
                    post.submitted_at + timedelta(hours=3),
                    at or post.submitted_at + timedelta(hours=3),
                )
            )
            if sent:
                attempts.append(
                    (
                        delivery_id,
                        channel.pk,
                        1,
                        Attempt.Operation.PUBLISH,
                        at,
                        at + timedelta(milliseconds=800),
                        800,
                        A.PUBLISHED if ok else A.FAILED,
                        error,
                        200 if ok else 400,
                        "scale@seed",
                    )
                )
        self.rows.insert(
            Delivery,
            (
                "id",
                "post_id",
                "channel_id",
                "status",
                "due_at",
                "next_attempt_at",
                "attempt_count",
                "attempts_in_round",
                "external_id",
                "external_url",
                "published_at",
                "last_error",
                "withdrawn_at",
                "created_at",
                "updated_at",
            ),
            deliveries,
        )
        self.rows.insert(
            Attempt,
            (
                "delivery_id",
                "channel_id",
                "number",
                "operation",
                "started_at",
                "finished_at",
                "duration_ms",
                "outcome",
                "error",
                "status_code",
                "worker",
            ),
            attempts,
        )
        self.count("deliveries", len(deliveries))
        self.count("delivery attempts", len(attempts))

    @property
    def departments_by_pk(self) -> dict[int, Department]:
        if not hasattr(self, "_departments_by_pk"):
            self._departments_by_pk = {d.pk: d for d in self.departments}
        return self._departments_by_pk
