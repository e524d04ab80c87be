"""Review services lock only the post's row – never its author's or department's (``FOR UPDATE OF``).

Locking the rows read along with the post made every transition of a department wait for the others
and could deadlock with the publishing workers (docs/publishing.md, lock order).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import services
from posts.models import Post

from .conftest import open_step

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def post_row_locks(queries) -> list[str]:
    """The statements that lock a post's row."""
    return [
        q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and re.match(r'SELECT "posts_post"\.', q["sql"])
    ]


def locks_other_rows(sql: str) -> bool:
    """A join (author, department …) without ``OF "posts_post"`` locks the joined rows too."""
    return " JOIN " in sql and not sql.endswith('FOR UPDATE OF "posts_post"')


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks")


def test_review_open_locks_only_the_posts_row(make_post, submit, editor, department):
    post = make_post(editor, department)
    with CaptureQueriesContext(connection) as queries:
        submit(post)
    locks = post_row_locks(queries.captured_queries)
    assert locks, "review_open reads the post with a lock"
    assert not [sql for sql in locks if locks_other_rows(sql)]


def test_step_approve_locks_only_the_posts_row(in_review, coordinator):
    review = in_review()
    with CaptureQueriesContext(connection) as queries:
        services.step_approve(actor=coordinator, step=open_step(review))
    locks = post_row_locks(queries.captured_queries)
    assert locks, "step_approve reads the post with a lock"
    assert not [sql for sql in locks if locks_other_rows(sql)]
    assert Post.objects.get(pk=review.post_id).status in (Post.Status.APPROVED, Post.Status.SCHEDULED)
