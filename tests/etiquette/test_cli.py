"""``manage.py etiquette_check FILE|-``: JSON in, JSON findings out; bad input exits with status 2."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

# One text per catalogue rule, each made to break it (with what the CLI may be given for it).
BREAKERS = {
    "reply.personal_data": {
        "text": "Wir melden uns unter 0171 2345678. Bitte schicken Sie uns eine Direktnachricht.",
        "reply_to": "Rufen Sie mich an: 0171 2345678",
    },
    "reply.individual_case": {"text": "Ihr Antrag ist fertig.", "reply_to": "Wie steht es um meinen Antrag?"},
    "length": {"text": "Wichtig für alle Eltern. " * 12, "channels": ["x"]},
    "alt_text.missing": {"text": "Neues Foto.", "media": [{"kind": "image", "credit": "Landkreis"}]},
    "alt_text.quality": {
        "text": "Neues Foto.",
        "media": [{"kind": "image", "alt_text": "IMG_1234.jpg", "credit": "Landkreis"}],
    },
    "alt_text.length": {
        "text": "Foto.",
        "channels": ["x"],
        "media": [{"kind": "image", "alt_text": "Ein Satz. " * 110, "credit": "Landkreis"}],
    },
    "media.credit": {
        "text": "Foto.",
        "media": [{"kind": "image", "alt_text": "Die neue Brücke über die Wümme bei Sonnenschein"}],
    },
    "media.people_consent": {
        "text": "Foto.",
        "media": [
            {
                "kind": "image",
                "alt_text": "Kinder pflanzen Bäume am Schulzentrum",
                "credit": "Landkreis",
                "shows_people": True,
                "consent": False,
            }
        ],
    },
    "media.captions": {"text": "Video.", "media": [{"kind": "video", "credit": "Landkreis"}]},
    "media.required": {"text": "Nur Text.", "channels": ["instagram"]},
    "personal_data": {"text": "Fragen an Frau Meyer: 0171 1234567."},
    "hashtag.camelcase": {"text": "Heute #impfzentrumrotenburg"},
    "hashtag.count": {"text": "#Eins #Zwei #Drei #Vier"},
    "emoji.count": {"text": "Fest 🎉🎈🎊"},
    "unicode.fake_bold": {"text": "𝐖𝐢𝐜𝐡𝐭𝐢𝐠: Kreishaus zu."},
    "readability": {
        "text": "Die Inanspruchnahme der Beratungsleistungen der Schuldnerberatungsstelle setzt grundsätzlich eine vorherige telefonische Terminvereinbarung mit der zuständigen Sachbearbeitung voraus, wobei Antragsunterlagen mitzubringen sind."
    },
    "plain_language.terms": {"text": "Gemäß der Satzung."},
    "tone.shouting": {"text": "HEUTE GESCHLOSSEN."},
    "tone.forbidden_terms": {"text": "So ein Schwachsinn."},
    "neutrality.election_window": {"text": "Die CDU lädt ein."},
    "neutrality.campaign_language": {"text": "Wählen Sie uns am Sonntag."},
    "press.relevant": {"text": "Pressemitteilung des Gesundheitsamts."},
    "links.domain": {"text": "Infos: bit.ly/abc"},
    "links.own_domain": {"text": "Die Abfuhr der Biotonne ändert sich ab April. " * 6},
    "commercial": {"text": "Jetzt kaufen im Shop für nur 9,99 €."},
    "schedule.staffed_hours": {"text": "Guten Abend.", "scheduled_at": "2027-03-01T20:00:00+01:00"},
}


_counter = iter(range(1_000_000))


@pytest.fixture
def run(tmp_path):
    """``run(data)``: write ``data`` as JSON to a file, run the command on it, return the parsed output."""

    def run(data) -> list:
        out = StringIO()
        call_command("etiquette_check", write(tmp_path, json.dumps(data, ensure_ascii=False)), stdout=out)
        return json.loads(out.getvalue())

    return run


def write(tmp_path, raw: str) -> str:
    path = tmp_path / f"posts-{next(_counter)}.json"
    path.write_text(raw, encoding="utf-8")
    return str(path)


def test_every_catalogue_rule_is_flagged_on_a_text_made_to_break_it(db, run, rule_update):
    rule_update("gender_characters", severity="warn")  # off by default in Niedersachsen
    cases = dict(BREAKERS, gender_characters={"text": "Liebe Bürger*innen"})
    results = run(list(cases.values()))
    for (rule, _data), findings in zip(cases.items(), results, strict=True):
        assert rule in {f["rule"] for f in findings}, (rule, findings)
    from etiquette.models import Rule

    assert set(cases) == set(Rule.objects.values_list("code", flat=True))


def test_a_single_object_gives_one_list_with_exactly_the_documented_keys(db, run):
    findings = run({"text": "Rufen Sie 0171 1234567 an.", "channels": ["x", "mastodon"]})
    assert findings == [
        {
            "rule": "personal_data",
            "severity": "block",
            "channel": None,
            "message": findings[0]["message"],
            "start": 10,
            "end": 22,
        }
    ]
    assert findings[0]["message"].startswith("Telefonnummer „0171 1234567“")


def test_clean_posts_give_empty_lists(db, run):
    from .conftest import CLEAN_POSTS

    assert run([{"text": text, "scheduled_at": "2027-03-03T10:00"} for text in CLEAN_POSTS]) == [
        [] for _ in CLEAN_POSTS
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"text": "Hallo", "channels": ["myspace"]}', "Unbekanntes Netzwerk „myspace“"),
        ('{"text": "Hallo", ', "Ungültiges JSON (Zeile 1"),
        ('{"link": "https://lk-row.de"}', "„text“ fehlt"),
        ('[{"text": "ok"}, {"text": 5}]', "Eintrag 2: „text“ muss ein Text sein"),
        ('{"text": "Hallo", "scheduled_at": "morgen"}', "„morgen“ ist kein gültiger Zeitpunkt"),
        ('{"text": "Hallo", "media": [{"kind": "gif"}]}', "„kind“ muss „image“ oder „video“ sein"),
        ('"nur ein Text"', "Erwartet wird ein JSON-Objekt"),
    ],
)
def test_bad_input_is_a_clear_error_with_status_2(db, tmp_path, raw, message):
    path = write(tmp_path, raw)
    with pytest.raises(CommandError) as excinfo:
        call_command("etiquette_check", path, stdout=StringIO())
    assert excinfo.value.returncode == 2
    assert message in str(excinfo.value)


def _cli_env() -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "landkreis_social.settings_test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_command_reads_stdin_and_exits_0_or_2(committed_default_rules):
    """As a script calls it: a real process, standard input, exit status and standard error."""
    command = [sys.executable, "manage.py", "etiquette_check", "-"]
    good = subprocess.run(
        command,
        input='{"text": "HEUTE GESCHLOSSEN!!"}',
        capture_output=True,
        text=True,
        env=_cli_env(),
        cwd=str(settings.BASE_DIR),
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert [f["rule"] for f in json.loads(good.stdout)] == ["tone.shouting", "tone.shouting", "tone.shouting"]
    bad = subprocess.run(
        command,
        input='{"text": "x", "channels": ["x", "tiktok"]}',
        capture_output=True,
        text=True,
        env=_cli_env(),
        cwd=str(settings.BASE_DIR),
        timeout=120,
    )
    assert bad.returncode == 2
    assert "Unbekanntes Netzwerk „tiktok“" in bad.stderr
    assert bad.stdout == ""
    missing = subprocess.run(
        [sys.executable, "manage.py", "etiquette_check", "/nonexistent/posts.json"],
        capture_output=True,
        text=True,
        env=_cli_env(),
        cwd=str(settings.BASE_DIR),
        timeout=120,
    )
    assert missing.returncode == 2 and "kann nicht gelesen werden" in missing.stderr
