"""Moderation actions per netiquette clause and escalations to the press office: the rollup against
counts made in the test while the rows are written, the incremental run (a status change and a
re-routed item rebuild the day of the event), the page, the CSV and the PDF – also for a department
head, who sees only the own department – and a clause title with markup escaped everywhere."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from etiquette.models import NetiquetteClause, NetiquetteVersion
from inbox.models import InboxItem, ModerationAction, PressEscalation
from reports import metrics as m
from reports.models import DailyFigure
from reports.rollup import rollup_changed, rollup_days

from .conftest import local_day
from .test_pages import pdf_text

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}
MARKUP = '<script>alert("nq")</script><b>&amp;'
ACTIONS = ("hide", "unhide", "delete", "report")


@dataclass
class Made:
    """Every action and escalation written, as the test knows it: (moment, department id, channel id,
    key) – changed here when the test changes the row, so that the expected counts follow."""

    actions: list[list] = field(default_factory=list)  # [at, dept, channel, "action:clause", pk]
    escalations: list[list] = field(default_factory=list)  # [at, dept, channel, status, pk, item pk]
    clauses: dict = field(default_factory=dict)  # name → clause

    def moderation(self) -> Counter:
        return Counter((local_day(at), dept, ch, key) for at, dept, ch, key, _pk in self.actions)

    def press(self) -> Counter:
        return Counter(
            (local_day(at), dept, ch, status) for at, dept, ch, status, _pk, _i in self.escalations
        )


def rolled(metric: str) -> Counter:
    found = Counter()
    for row in DailyFigure.objects.filter(metric=metric):
        found[(row.day, row.department_id, row.channel_id, row.key)] += row.count
    return found


@pytest.fixture
def clauses(db):
    """Two versions of the netiquette: clause 1 “Respekt” in both (one row in the report), clause 2
    only in the first, clause 3 (a title with markup) only in the second."""
    old = NetiquetteVersion.objects.create(major=90, status="published")
    new = NetiquetteVersion.objects.create(major=91, status="published")
    return {
        "respekt-old": NetiquetteClause.objects.create(
            version=old, number=1, anchor="respekt", title="Respekt", body="x"
        ),
        "daten": NetiquetteClause.objects.create(
            version=old, number=2, anchor="datenschutz", title="Datenschutz", body="x"
        ),
        "respekt": NetiquetteClause.objects.create(
            version=new, number=1, anchor="respekt", title="Respekt", body="x"
        ),
        "markup": NetiquetteClause.objects.create(
            version=new, number=3, anchor="markup", title=MARKUP, body="x"
        ),
    }


@pytest.fixture
def make_moderation(db, department, other_department, report_channels, clauses, coordinator, press):
    counter = iter(range(1, 100000))

    def make(*, seed: int, items: int, start: datetime, span_days: int, made: Made | None = None) -> Made:
        rng = random.Random(seed)
        made = made or Made(clauses=clauses)
        for _ in range(items):
            n = next(counter)
            received = start + timedelta(days=rng.randrange(span_days), minutes=rng.randrange(24 * 60))
            dept = rng.choice([department, other_department, other_department, None])
            channel = rng.choice(report_channels)
            item = InboxItem.objects.create(
                channel=channel,
                network_id=f"mod{seed}-{n}",
                kind="comment",
                received_at=received,
                conversation_key=f"mod{seed}-{n}",
                department=dept,
            )
            # Last changed when it came in (auto_now would say today: the incremental test needs the past).
            InboxItem.objects.filter(pk=item.pk).update(updated_at=received)
            for _ in range(rng.randrange(0, 4)):
                at = received + timedelta(hours=rng.randrange(0, 60))
                action = rng.choice(ACTIONS)
                clause = rng.choice(list(clauses.values()))
                succeeded = rng.random() < 0.75
                record = ModerationAction.objects.create(
                    item=item,
                    channel=channel,
                    action=action,
                    succeeded=succeeded,
                    error="" if succeeded else "refused",
                    clause=clause,
                    reason="Grund",
                    actor=coordinator,
                    evidence_network_id=item.network_id,
                )
                ModerationAction.objects.filter(pk=record.pk).update(created_at=at)  # auto_now_add
                if succeeded:  # refused attempts are not counted
                    made.actions.append(
                        [at, dept.pk if dept else None, channel.pk, f"{action}:{clause.pk}", record.pk]
                    )
            # At most one open escalation per item (the inbox's constraint): only the last may be open.
            count = rng.choice([0, 0, 1, 2])
            for index in range(count):
                at = received + timedelta(hours=1 + 30 * index + rng.randrange(0, 20))
                choices = ["handed_back", "answered"] + (["open"] if index == count - 1 else [])
                status = rng.choice(choices)
                escalation = PressEscalation.objects.create(
                    item=item,
                    note="Presseanfrage",
                    created_by=coordinator,
                    status=status,
                    closed_by=None if status == "open" else press,
                    closed_at=None if status == "open" else at + timedelta(hours=2),
                )
                PressEscalation.objects.filter(pk=escalation.pk).update(created_at=at)
                made.escalations.append(
                    [at, dept.pk if dept else None, channel.pk, status, escalation.pk, item.pk]
                )
        # An action whose item was deleted since (SET_NULL): counted without a department.
        at = start + timedelta(days=rng.randrange(span_days), hours=10)
        channel = report_channels[0]
        record = ModerationAction.objects.create(
            item=None,
            channel=channel,
            action="delete",
            succeeded=True,
            clause=clauses["daten"],
            reason="Grund",
            actor=coordinator,
            evidence_network_id="gone",
        )
        ModerationAction.objects.filter(pk=record.pk).update(created_at=at)
        made.actions.append([at, None, channel.pk, f"delete:{clauses['daten'].pk}", record.pk])
        return made

    return make


def test_rollup_matches_the_counts_made_in_the_test_and_reruns_give_the_same_rows(make_moderation):
    made = make_moderation(seed=3, items=70, start=datetime(2026, 10, 1, 6, tzinfo=UTC), span_days=55)
    assert len(made.actions) > 40 and len(made.escalations) > 15
    assert {key[3] for key in made.press()} == {"open", "handed_back", "answered"}
    rollup_changed()
    assert rolled(m.MODERATION_ACTIONS) == made.moderation()
    assert rolled(m.PRESS_ESCALATIONS) == made.press()

    fields = ("day", "metric", "department_id", "channel_id", "key", "count")
    rows = Counter(DailyFigure.objects.values_list(*fields))
    rollup_changed()
    rollup_days({row[0] for row in rows})
    assert Counter(DailyFigure.objects.values_list(*fields)) == rows


def test_later_changes_rebuild_exactly_the_days_of_the_changed_events(make_moderation, other_department):
    made = make_moderation(seed=4, items=40, start=datetime(2026, 6, 1, 6, tzinfo=UTC), span_days=20)
    rollup_changed(now=datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert rolled(m.MODERATION_ACTIONS) == made.moderation()
    assert rolled(m.PRESS_ESCALATIONS) == made.press()

    # The press office answers an escalation made in June (closed in August) …
    opened = next(e for e in made.escalations if e[3] == "open")
    PressEscalation.objects.filter(pk=opened[4]).update(
        status="answered", closed_at=datetime(2026, 8, 10, 9, tzinfo=UTC)
    )
    opened[3] = "answered"
    # … an item with moderation actions on another June day is re-routed to the other department …
    moved = next(
        a
        for a in made.actions
        if a[1] != other_department.pk and local_day(a[0]) != local_day(opened[0]) and a[1] is not None
    )
    item_id = ModerationAction.objects.get(pk=moved[4]).item_id
    InboxItem.objects.filter(pk=item_id).update(
        department=other_department, updated_at=datetime(2026, 8, 11, 9, tzinfo=UTC)
    )
    # (the inbox's own figures rebuild the day the re-routed item was received, too)
    received_day = local_day(InboxItem.objects.get(pk=item_id).received_at)
    moved_pks = set(ModerationAction.objects.filter(item_id=item_id).values_list("pk", flat=True))
    moved_days = set()
    for action in made.actions:
        if action[4] in moved_pks:
            action[1] = other_department.pk
            moved_days.add(local_day(action[0]))
    for escalation in made.escalations:
        if escalation[5] == item_id:
            escalation[1] = other_department.pk
            moved_days.add(local_day(escalation[0]))
    # … and new actions come in August.
    make_moderation(seed=5, items=15, start=datetime(2026, 8, 1, 6, tzinfo=UTC), span_days=20, made=made)
    june_days = {local_day(e[0]) for e in made.escalations + made.actions if e[0].month == 6}
    untouched = june_days - moved_days - {local_day(opened[0]), received_day}
    assert untouched
    kept = set(DailyFigure.objects.filter(day__in=untouched).values_list("pk", flat=True))

    days = set(rollup_changed(now=datetime(2026, 9, 1, 12, tzinfo=UTC)))
    assert local_day(opened[0]) in days and moved_days <= days
    assert not untouched & days
    assert kept <= set(DailyFigure.objects.filter(day__in=untouched).values_list("pk", flat=True))
    assert rolled(m.MODERATION_ACTIONS) == made.moderation()
    assert rolled(m.PRESS_ESCALATIONS) == made.press()


@pytest.fixture
def figures(make_moderation):
    made = make_moderation(seed=7, items=60, start=datetime(2026, 10, 1, 6, tzinfo=UTC), span_days=55)
    rollup_changed()
    return made


def csv_rows(client, table: str, **extra) -> list[list[str]]:
    answer = client.get(reverse("reports:csv"), {"table": table, **PERIOD, **extra})
    assert answer.status_code == 200
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))


def in_period(day: date) -> bool:
    return date(2026, 10, 1) <= day <= date(2026, 11, 30)


def test_csv_of_both_sections_for_coordination_and_for_a_department_head(
    client, coordinator, head, figures, department, other_department, clauses
):
    moderation = figures.moderation()
    press = figures.press()
    client.force_login(coordinator)
    rows = csv_rows(client, "moderation-actions")
    assert rows[0] == [
        "Fachbereich",
        "Kanal",
        "Netiquette-Regel",
        "ausgeblendet",
        "wieder eingeblendet",
        "gelöscht",
        "gemeldet",
        "Gesamt",
    ]
    assert sum(int(r[-1]) for r in rows[1:]) == sum(n for k, n in moderation.items() if in_period(k[0]))
    # Clause 1 of both versions is one row per department and channel; the deleted item has no department.
    labels = {r[2] for r in rows[1:]}
    assert "1. Respekt" in labels and "2. Datenschutz" in labels
    assert len({(r[0], r[1], r[2]) for r in rows[1:]}) == len(rows) - 1
    respekt = {clauses["respekt"].pk, clauses["respekt-old"].pk}
    hidden_respekt = sum(
        n
        for (day, _d, _c, key), n in moderation.items()
        if in_period(day) and key.startswith("hide:") and int(key.split(":")[1]) in respekt
    )
    assert sum(int(r[3]) for r in rows[1:] if r[2] == "1. Respekt") == hidden_respekt > 0
    assert any(r[0] == "kein Fachbereich (Triage oder Eingang gelöscht)" for r in rows[1:])

    rows = csv_rows(client, "press-escalations")
    assert rows[0] == [
        "Fachbereich",
        "Weitergaben",
        "noch bei der Pressestelle",
        "zurückgegeben",
        "von der Pressestelle beantwortet",
    ]
    by_name = {r[0]: [int(x) for x in r[1:]] for r in rows[1:]}
    for dept in (department, other_department):
        expected = [
            sum(n for (day, d, _c, s), n in press.items() if in_period(day) and d == dept.pk and s == status)
            for status in ("open", "handed_back", "answered")
        ]
        assert by_name[dept.name] == [sum(expected), *expected]
    assert sum(v[0] for v in by_name.values()) == sum(n for k, n in press.items() if in_period(k[0]))

    # A department head: only the own department, in the page and in both CSVs.
    client.force_login(head)
    rows = csv_rows(client, "moderation-actions")
    assert {r[0] for r in rows[1:]} == {department.name}
    assert sum(int(r[-1]) for r in rows[1:]) == sum(
        n for (day, d, _c, _k), n in moderation.items() if in_period(day) and d == department.pk
    )
    rows = csv_rows(client, "press-escalations")
    own = [n for (day, d, _c, _s), n in press.items() if in_period(day) and d == department.pk]
    assert [r[0] for r in rows[1:]] == [department.name] and int(rows[1][1]) == sum(own) > 0
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    assert "Moderationsmaßnahmen je Netiquette-Regel" in page and "Weitergaben an die Pressestelle" in page
    assert other_department.name not in page

    # The channel filter applies to both.
    channel = figures.actions[0][2]
    client.force_login(coordinator)
    rows = csv_rows(client, "press-escalations", channel=channel)
    assert sum(int(r[1]) for r in rows[1:]) == sum(
        n for (day, _d, c, _s), n in press.items() if in_period(day) and c == channel
    )


def squeezed(text: str) -> str:
    """Without any white space: a narrow table column wraps its cells onto several lines."""
    return "".join(text.split())


def test_pdf_has_both_sections(client, coordinator, figures):
    client.force_login(coordinator)
    text = squeezed(pdf_text(client.get(reverse("reports:pdf"), PERIOD).content))
    for expected in (
        "Moderationsmaßnahmen je Netiquette-Regel",
        "Weitergaben an die Pressestelle",
        "1. Respekt",
        "2. Datenschutz",
        "von der Pressestelle beantwortet",
        "noch bei der Pressestelle",
    ):
        assert squeezed(expected) in text


def test_a_clause_title_with_markup_is_escaped_in_html_csv_and_pdf(client, coordinator, figures, clauses):
    marked = sum(
        n
        for (day, _d, _c, key), n in figures.moderation().items()
        if in_period(day) and key.endswith(f":{clauses['markup'].pk}")
    )
    assert marked > 0
    client.force_login(coordinator)
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    assert '<script>alert("nq")' not in page
    assert "3. &lt;script&gt;alert(&quot;nq&quot;)&lt;/script&gt;&lt;b&gt;&amp;amp;" in page
    rows = csv_rows(client, "moderation-actions")
    assert sum(int(r[-1]) for r in rows[1:] if r[2] == f"3. {MARKUP}") == marked
    text = squeezed(pdf_text(client.get(reverse("reports:pdf"), PERIOD).content))
    assert squeezed(f"3. {MARKUP}") in text
