"""/reports/: who sees what, the filters, the charts and tables, the CSV export and the PDF for a period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.rollup import rollup_changed

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-09-01", "end": "2026-12-31"}


@pytest.fixture
def figures(make_workflow):
    expected = make_workflow(seed=9, posts=50, start=datetime(2026, 9, 1, 8, tzinfo=UTC))
    rollup_changed()
    return expected


def test_editors_and_anonymous_get_no_reports(client, editor, outsider):
    assert client.get(reverse("reports:index")).status_code == 302
    for user in (editor, outsider):
        client.force_login(user)
        assert client.get(reverse("reports:index")).status_code == 403
        assert client.get(reverse("reports:csv"), {"table": "posts-by-month"}).status_code == 403
        assert client.get(reverse("reports:pdf")).status_code == 403


def test_coordination_sees_every_department(client, coordinator, figures, department, other_department):
    client.force_login(coordinator)
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    assert department.name in page and other_department.name in page
    assert "Veröffentlichte Beiträge je Monat" in page
    # The table under the chart: the months' posts add up to every post published in the period.
    assert '<th scope="row">09/2026</th>' in page
    assert '<svg class="report-chart"' in page and "style=" not in page.split("<main", 1)[1]


def test_department_head_sees_only_the_own_department(client, head, figures, department, other_department):
    client.force_login(head)
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    assert department.name in page
    assert other_department.name not in page
    # Asking for the other department by its id is refused next to the field, in German.
    refused = client.get(reverse("reports:index"), {**PERIOD, "department": other_department.pk})
    assert refused.status_code == 200
    assert "Bitte wählen Sie einen Ihrer Fachbereiche." in refused.content.decode()
    assert other_department.name not in refused.content.decode()
    # The CSV with the other department is not served either (back to the page with the error).
    csv_answer = client.get(
        reverse("reports:csv"), {"table": "posts-by-department", "department": other_department.pk}
    )
    assert csv_answer.status_code == 302


def test_head_csv_counts_only_the_own_department(client, head, figures, department):
    client.force_login(head)
    answer = client.get(reverse("reports:csv"), {"table": "posts-by-month", **PERIOD})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    own_total = sum(n for (day, dept), n in figures.posts.items() if dept == department.pk)
    assert sum(int(r[1]) for r in rows[1:]) == own_total > 0


def test_bad_dates_get_a_german_error_next_to_the_field(client, coordinator):
    client.force_login(coordinator)
    answer = client.get(reverse("reports:index"), {"start": "2026-10-01", "end": "2026-09-01"})
    assert answer.status_code == 200
    assert "Das Enddatum liegt vor dem Startdatum." in answer.content.decode()
    answer = client.get(reverse("reports:index"), {"start": "kein Datum"})
    assert "Bitte geben Sie ein gültiges Datum an." in answer.content.decode()


def test_csv_has_bom_semicolons_and_the_table(client, coordinator, figures):
    client.force_login(coordinator)
    answer = client.get(reverse("reports:csv"), {"table": "posts-by-month", **PERIOD})
    assert answer["Content-Type"].startswith("text/csv")
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == ["Monat", "Beiträge"]
    assert [r[0] for r in rows[1:]] == ["09/2026", "10/2026", "11/2026", "12/2026"]
    assert sum(int(r[1]) for r in rows[1:]) == sum(figures.posts.values())
    assert client.get(reverse("reports:csv"), {"table": "no-such-table", **PERIOD}).status_code == 404


def test_every_section_has_a_csv(client, coordinator, figures):
    from reports.selectors import report_sections  # noqa: F401 - the slugs come from the page

    client.force_login(coordinator)
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    slugs = [
        "posts-by-month",
        "posts-by-department",
        "decision-time",
        "decisions-by-month",
        "decision-rules",
        "warnings-approved",
        "delivery-problems",
        "guide-confirmations",
        "network-figures",
        "followers",
        "inbox-items",
        "inbox-reaction",
        "moderation-actions",
        "press-escalations",
    ]
    for slug in slugs:
        assert f"{reverse('reports:csv')}?table={slug}" in page
        answer = client.get(reverse("reports:csv"), {"table": slug, **PERIOD})
        assert answer.status_code == 200 and answer.content.startswith("\ufeff".encode())


def test_the_page_reads_a_constant_number_of_queries(
    client, coordinator, make_workflow, django_assert_max_num_queries
):
    client.force_login(coordinator)
    make_workflow(seed=1, posts=5)
    rollup_changed()
    client.get(reverse("reports:index"), PERIOD)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("reports:index"), PERIOD)
    make_workflow(seed=2, posts=80)
    rollup_changed()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:index"), PERIOD)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_for_a_period_in_german_with_county_and_figures(client, coordinator, figures):
    client.force_login(coordinator)
    answer = client.get(reverse("reports:pdf"), PERIOD)
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "Landkreis Rotenburg (Wümme)" in text
    assert "01.09.2026 – 31.12.2026" in text
    assert "Zeit von der Einreichung bis zur Entscheidung" in text
    assert "Veröffentlichte Beiträge je Monat" in text
    assert "Alle Fachbereiche" in text


def test_names_with_markup_and_formulas_are_escaped_in_html_csv_and_pdf(
    client, coordinator, figures, department, report_channels
):
    from channels.models import Channel
    from departments.models import Department

    Department.objects.filter(pk=department.pk).update(name='<script>alert("fb")</script><b>&amp;')
    Channel.objects.filter(pk=report_channels[0].pk).update(name='=HYPERLINK("http://x.example","<i>k</i>")')
    client.force_login(coordinator)
    page = client.get(reverse("reports:index"), PERIOD).content.decode()
    assert '<script>alert("fb")' not in page and "&lt;script&gt;alert(&quot;fb&quot;)&lt;/script&gt;" in page
    assert "<i>k</i>" not in page

    answer = client.get(reverse("reports:csv"), {"table": "posts-by-department", **PERIOD})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert '\'=HYPERLINK("http://x.example","<i>k</i>")' in rows[0]
    assert any(r[0] == '<script>alert("fb")</script><b>&amp;' for r in rows[1:])

    text = pdf_text(client.get(reverse("reports:pdf"), PERIOD).content)
    assert '<script>alert("fb")</script><b>&amp;' in text
