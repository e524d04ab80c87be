"""Trigram indexes for the post list's search (``title``/``text`` ``icontains``) on PostgreSQL.

Django's ``icontains`` is ``UPPER(column) LIKE UPPER('%word%')``, which no B-tree index helps: with
100,000 posts every search read the whole table (bench/pages_bench.py: 300 ms). GIN indexes with
``gin_trgm_ops`` on exactly these expressions answer it from the index. SQLite (the embedded demo)
gets nothing: it has no such index, and its tables stay small. ``pg_trgm`` is a trusted extension
(PostgreSQL 13+): the database owner may create it without superuser rights.
"""

from django.db import migrations

INDEXES = (
    ("post_title_trgm_idx", 'UPPER("title"::text)'),
    ("post_text_trgm_idx", 'UPPER("text")'),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "posts_post" USING gin ({expression} gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0002_list_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
