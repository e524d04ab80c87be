#!/usr/bin/env python
"""Does a database filled before issue 13 (apps untangled) survive the migrations? (scripts/upgrade_check.sh)

    upgrade_check.py snapshot FILE   before migrating (any code version; plain SQL): the row count of every
                                     table, the content types, guardian's object permissions, the audit head
    upgrade_check.py verify FILE     after ``manage.py migrate`` with this code: the same rows are there, the
                                     moved models use the old content type rows, every channel's credentials
                                     decrypt, guardian's permissions on channels still answer, ``audit_verify``
                                     is green and the old events still show for their objects

Uses DATABASE_URL like manage.py. Exit status 1 on any difference; prints a table of the numbers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# Tables that migrating is expected to change.
EXPECTED_TO_GROW = {"django_migrations"}
MOVED = {
    ("approvals", "auditevent"): ("audit", "auditevent"),
    ("approvals", "auditchainhead"): ("audit", "auditchainhead"),
    ("approvals", "notification"): ("notifications", "notification"),
    ("publishing", "channel"): ("channels", "channel"),
    ("publishing", "rolloutphase"): ("channels", "rolloutphase"),
    ("publishing", "sandboxpost"): ("channels", "sandboxpost"),
}


def _connect():
    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True)


def _snapshot() -> dict:
    with _connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
        content_types = {f"{app}.{model}": ct_id for ct_id, app, model in cur.fetchall()}
        cur.execute(
            "SELECT g.name, gop.object_pk, p.codename FROM guardian_groupobjectpermission gop "
            "JOIN auth_group g ON g.id = gop.group_id JOIN auth_permission p ON p.id = gop.permission_id "
            "ORDER BY 1, 2, 3"
        )
        group_perms = [list(row) for row in cur.fetchall()]
        cur.execute("SELECT last_sequence, last_hash FROM approvals_auditchainhead WHERE id = 1")
        head = cur.fetchone()
    return {"counts": counts, "content_types": content_types, "group_perms": group_perms, "head": head}


def snapshot(path: str) -> int:
    data = _snapshot()
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True))
    print(f"{len(data['counts'])} tables, {sum(data['counts'].values())} rows, audit head {data['head']}")
    return 0


def verify(path: str) -> int:
    before = json.loads(Path(path).read_text())
    after = _snapshot()
    problems = []
    print(f"{'table':<45} {'before':>8} {'after':>8}")
    for table, count in sorted(before["counts"].items()):
        now = after["counts"].get(table)
        mark = (
            ""
            if now == count or (table in EXPECTED_TO_GROW and now is not None and now >= count)
            else "  <--"
        )
        if mark:
            problems.append(f"{table}: {count} rows before, {now} after")
        print(f"{table:<45} {count:>8} {now if now is not None else '-':>8}{mark}")
    for (old_app, model), (new_app, _model) in MOVED.items():
        old_id = before["content_types"].get(f"{old_app}.{model}")
        new_id = after["content_types"].get(f"{new_app}.{model}")
        if old_id is not None and old_id != new_id:
            problems.append(
                f"content type {old_app}.{model} (id {old_id}) is now {new_app}.{model} id {new_id}"
            )
        if f"{old_app}.{model}" in after["content_types"]:
            problems.append(f"content type {old_app}.{model} still exists next to {new_app}.{model}")
    if before["group_perms"] != after["group_perms"]:
        problems.append("guardian's group object permissions changed")
    if list(before["head"] or []) != list(after["head"] or []):
        problems.append(f"audit chain head changed: {before['head']} → {after['head']}")
    problems += _verify_with_django()
    print()
    for problem in problems:
        print("PROBLEM:", problem)
    print("upgrade check:", "FAILED" if problems else "OK")
    return 1 if problems else 0


def _verify_with_django() -> list[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from guardian.shortcuts import get_perms

    from audit.selectors import events_for
    from channels import crypto
    from channels.models import Channel
    from channels.permissions import department_group
    from channels.selectors import channels_for_department
    from departments.models import Department

    problems = []
    channels = list(Channel.objects.prefetch_related("departments"))
    decrypted = 0
    for channel in channels:
        try:
            if crypto.decrypt_json(channel.credentials_encrypted):
                decrypted += 1
        except crypto.CredentialsUnreadable:
            problems.append(f"channel {channel.pk}: credentials do not decrypt")
    checked = 0
    for department in Department.objects.all():
        group = department_group(department)
        allowed = {c.pk for c in channels if department in c.departments.all()}
        for channel in channels:
            has = "publish_to_channel" in get_perms(group, channel)
            checked += 1
            if has != (channel.pk in allowed):
                problems.append(f"guardian: {department.code} on {channel.name}: {has}, expected {not has}")
        live = set(channels_for_department(department).values_list("pk", flat=True))
        if not live <= allowed:
            problems.append(f"{department.code}: channels_for_department names channels it may not use")
    old_events = sum(events_for(c).filter(object_type="publishing.channel").count() for c in channels)
    print(
        f"\n{len(channels)} channels, {decrypted} with stored credentials that decrypt (none unreadable); {checked} guardian checks; "
        f"{old_events} channel events written as publishing.channel still found by audit.selectors.events_for"
    )
    try:
        call_command("audit_verify")
    except SystemExit as exc:
        if exc.code:
            problems.append("audit_verify failed")
    except Exception as exc:  # CommandError: the chain is broken
        problems.append(f"audit_verify: {exc}")
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in {"snapshot", "verify"}:
        sys.exit(__doc__)
    sys.exit({"snapshot": snapshot, "verify": verify}[sys.argv[1]](sys.argv[2]))
