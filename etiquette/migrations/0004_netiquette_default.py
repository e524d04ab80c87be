"""The county's netiquette, version 1.0 (published): a sensible German default to adapt in the admin.

Frozen here (not read from a file) so that this migration installs the same text whatever the code
later becomes. Anchors are stable: the county links them from its profiles (/netiquette/#respekt).
"""

from django.db import migrations
from django.utils import timezone

TITLE = "Netiquette des Landkreises Rotenburg (Wümme)"
INTRO = """\
Auf unseren Kanälen in den sozialen Netzwerken informiert der Landkreis Rotenburg (Wümme) über seine
Arbeit und beantwortet Fragen. Wir freuen uns über Austausch, Anregungen und auch Kritik. Damit sich
alle wohlfühlen und die Diskussion sachlich bleibt, gelten die folgenden Regeln. Sie gelten für
Kommentare, Antworten, Erwähnungen und Direktnachrichten.
"""
CLAUSES = [
    (
        1,
        "respekt",
        "Respektvoll und sachlich",
        "Bleiben Sie freundlich und beim Argument. Beleidigungen, Drohungen, Schimpfwörter und "
        "persönliche Angriffe – gegen andere Nutzerinnen und Nutzer, gegen Beschäftigte des Landkreises "
        "oder gegen Dritte – haben hier keinen Platz.",
    ),
    (
        2,
        "diskriminierung",
        "Keine Diskriminierung und keine Hetze",
        "Wir dulden keine Äußerungen, die Menschen wegen ihrer Herkunft, Hautfarbe, Religion, "
        "Weltanschauung, Behinderung, ihres Alters, Geschlechts oder ihrer sexuellen Identität "
        "herabsetzen. Das gilt auch für Andeutungen, Bilder und Links.",
    ),
    (
        3,
        "rechtswidrige-inhalte",
        "Keine rechtswidrigen Inhalte",
        "Strafbare Inhalte – etwa Volksverhetzung, Aufrufe zu Gewalt, Verleumdung oder die Verbreitung "
        "fremder Bilder ohne Erlaubnis – entfernen wir, soweit das Netzwerk es zulässt, und behalten uns "
        "eine Anzeige vor.",
    ),
    (
        4,
        "datenschutz",
        "Persönliche Daten schützen",
        "Veröffentlichen Sie keine Telefonnummern, Anschriften, E-Mail-Adressen, Aktenzeichen oder Fotos "
        "anderer Personen – und zu Ihrem eigenen Schutz auch nicht Ihre eigenen. Für Fragen zu Ihrem "
        "persönlichen Anliegen schreiben Sie uns bitte eine Direktnachricht oder nutzen Sie die "
        "Kontaktwege auf [lk-row.de](https://www.lk-row.de/).",
    ),
    (
        5,
        "beim-thema",
        "Beim Thema bleiben",
        "Kommentare sollen zum jeweiligen Beitrag passen. Bitte wiederholen Sie denselben Kommentar nicht "
        "unter mehreren Beiträgen.",
    ),
    (
        6,
        "werbung-spam",
        "Keine Werbung, kein Spam",
        "Werbung für Produkte, Dienstleistungen oder Veranstaltungen Dritter, Kettenbriefe, massenhaft "
        "gleiche Links und Wahlwerbung für Parteien oder Personen sind auf den Kanälen einer Behörde "
        "nicht erlaubt.",
    ),
    (
        7,
        "moderation",
        "Wie wir moderieren",
        "Beiträge, die gegen diese Regeln verstoßen, blenden wir aus oder löschen sie, soweit das "
        "jeweilige Netzwerk das zulässt; wir nennen dabei die verletzte Regel. Auf Mastodon können wir "
        "fremde Antworten nicht ausblenden und melden Verstöße der Moderation des jeweiligen Servers. "
        "Wer wiederholt gegen die Regeln verstößt, kann blockiert werden. Jede Maßnahme wird von einer "
        "namentlich verantwortlichen Person getroffen und dokumentiert.",
    ),
    (
        8,
        "antwortzeiten",
        "Wann wir antworten",
        "Unsere Kanäle werden montags bis freitags von 8 bis 16 Uhr betreut, nicht an Feiertagen in "
        "Niedersachsen. Anfragen außerhalb dieser Zeiten beantworten wir am nächsten Arbeitstag. "
        "**Die sozialen Netzwerke sind kein Notruf:** Im Notfall wählen Sie 112 (Feuerwehr, "
        "Rettungsdienst) oder 110 (Polizei).",
    ),
    (
        9,
        "verbindlichkeit",
        "Keine Anträge über soziale Netzwerke",
        "Anträge, Widersprüche und Fristsachen können nicht über Kommentare oder Direktnachrichten "
        "gestellt werden. Nutzen Sie dafür bitte die Formulare und Kontaktwege auf "
        "[lk-row.de](https://www.lk-row.de/).",
    ),
    (
        10,
        "kontakt",
        "Fragen zur Netiquette",
        "Wenn Sie meinen, dass wir einen Beitrag zu Unrecht ausgeblendet oder gelöscht haben, schreiben "
        "Sie uns eine Direktnachricht oder wenden Sie sich an die Pressestelle des Landkreises. Wie wir "
        "mit Ihren Daten umgehen, steht in der Datenschutzerklärung auf "
        "[lk-row.de](https://www.lk-row.de/).",
    ),
]


def install(apps, schema_editor):
    Version = apps.get_model("etiquette", "NetiquetteVersion")
    Clause = apps.get_model("etiquette", "NetiquetteClause")
    if Version.objects.exists():
        return
    version = Version.objects.create(
        major=1,
        minor=0,
        title=TITLE,
        intro=INTRO,
        changes="Erste Fassung.",
        status="published",
        published_at=timezone.now(),
    )
    Clause.objects.bulk_create(
        Clause(version=version, number=number, anchor=anchor, title=title, body=body)
        for number, anchor, title, body in CLAUSES
    )


def remove(apps, schema_editor):
    Version = apps.get_model("etiquette", "NetiquetteVersion")
    Clause = apps.get_model("etiquette", "NetiquetteClause")
    Clause.objects.filter(version__major=1, version__minor=0).delete()
    Version.objects.filter(major=1, minor=0).delete()


class Migration(migrations.Migration):
    dependencies = [("etiquette", "0003_netiquette")]

    operations = [migrations.RunPython(install, remove)]
