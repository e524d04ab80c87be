"""Every UI string is translated into German, and the shipped .mo files match the .po files."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    p
    for p in BASE.glob("**/locale/de/LC_MESSAGES/django.po")
    if ".venv" not in p.parts and "var" not in p.parts
)


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_catalogue_is_complete_and_compiled(path):
    po = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy}"
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run `make messages`"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if e.msgid}
    expected = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
    assert compiled == expected, f"{mo_path} is stale: run `make messages`"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed (apt-get install gettext)")
def test_catalogues_contain_every_string_in_the_code(tmp_path):
    """Run makemessages on a copy of the code: no msgid may be missing from the committed catalogues."""
    copy = tmp_path / "src"
    shutil.copytree(
        BASE,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            "var",
            ".git",
            "node_modules",
            "__pycache__",
            "static",
            "docs",
            ".pytest_cache",
            ".ruff_cache",
            ".hypothesis",
            "tests",
        ),
    )
    result = subprocess.run(
        ["django-admin", "makemessages", "-l", "de", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=240,
        env={
            "PATH": str(Path(shutil.which("python3")).parent)
            + ":"
            + str(BASE / ".venv/bin")
            + ":/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "",
        },
    )
    assert result.returncode == 0, result.stderr
    for committed in CATALOGUES:
        fresh = copy / committed.relative_to(BASE)
        have = {(e.msgctxt, e.msgid) for e in polib.pofile(str(committed)) if not e.obsolete}
        want = {(e.msgctxt, e.msgid) for e in polib.pofile(str(fresh)) if not e.obsolete}
        missing = sorted(m for _ctx, m in want - have)
        assert not missing, f"{committed.relative_to(BASE)} lacks {missing[:20]}: run `make messages`"
