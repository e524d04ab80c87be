"""The default rule set of ETIQUETTE.md, its term lists and the county's allowlist.

Values are frozen here (not imported from the rule kinds) so that this migration installs the same
data whatever the code later becomes. Everything is editable in the admin afterwards.
"""

from django.db import migrations

RULES = [
    # code, severity, parameters, why (shown to staff)
    (
        "length",
        "block",
        {
            "limits": {
                "x": 280,
                "mastodon": 500,
                "bluesky": 300,
                "instagram": 2200,
                "facebook": 63206,
                "linkedin": 3000,
                "threads": 500,
            }
        },
        "Die Netzwerke lehnen zu lange Texte ab. Gezählt wird so, wie das Netzwerk zählt (X: Links 23, Emoji 2 Zeichen; Bluesky: Grapheme).",
    ),
    (
        "alt_text.missing",
        "block",
        {},
        "Bilder ohne Alternativtext sind für blinde Menschen leer (BITV 2.0, Bundesfachstelle Barrierefreiheit).",
    ),
    (
        "alt_text.quality",
        "warn",
        {
            "min_length": 20,
            "bad_openings": ["Bild von", "Foto von", "Grafik von", "Image of", "Picture of", "Photo of"],
        },
        "Ein Dateiname oder „Bild von …“ hilft Screenreader-Nutzenden nicht weiter.",
    ),
    (
        "alt_text.length",
        "block",
        {"limits": {"x": 1000, "mastodon": 1500, "bluesky": 2000, "instagram": 1000}},
        "Die Netzwerke lehnen zu lange Alternativtexte ab.",
    ),
    ("media.credit", "block", {}, "Fotografinnen und Fotografen müssen genannt werden (§ 13 UrhG)."),
    ("media.people_consent", "block", {}, "Erkennbare Personen nur mit Einwilligung (DSGVO, KUG)."),
    ("media.captions", "block", {}, "Videos brauchen Untertitel (BITV 2.0)."),
    (
        "media.required",
        "block",
        {"channels": ["instagram"]},
        "Instagram veröffentlicht keine reinen Textbeiträge.",
    ),
    (
        "personal_data",
        "block",
        {"phones": True, "emails": True, "ibans": True, "birth_dates": True, "addresses": True},
        "Personenbezogene Daten gehören nicht in Beiträge (DSGVO; Netiquetten von Bundesrat und BKM). Offizielle Kontakte stehen in der Positivliste.",
    ),
    (
        "hashtag.camelcase",
        "warn",
        {"min_length": 12},
        "Screenreader lesen #ImpfzentrumRotenburg Wort für Wort, #impfzentrumrotenburg nicht.",
    ),
    (
        "hashtag.count",
        "warn",
        {"max": 3, "caps": {"instagram": 30}, "cap_severity": "block"},
        "Viele Hashtags erschweren das Vorlesen; über der Grenze des Netzwerks wird der Beitrag abgelehnt.",
    ),
    (
        "emoji.count",
        "warn",
        {"max": 3, "max_in_row": 2},
        "Screenreader lesen jedes Emoji mit vollem Namen vor.",
    ),
    (
        "unicode.fake_bold",
        "block",
        {},
        "Mathematische Sonderzeichen als „Fettschrift“ werden Buchstabe für Buchstabe vorgelesen.",
    ),
    (
        "readability",
        "warn",
        {"fre_min": 50.0, "sentence_max": 20, "min_words": 15},
        "Verständliche Sprache (§ 11 BGG).",
    ),
    ("plain_language.terms", "info", {}, "Einfache Wörter statt Amtsdeutsch."),
    (
        "gender_characters",
        "off",
        {"characters": ["*", ":", "_", "·"], "binnen_i": True},
        "Die Länder regeln Genderzeichen unterschiedlich (Bayern und Hessen untersagen sie in der Landesverwaltung, Niedersachsen nicht).",
    ),
    (
        "tone.shouting",
        "warn",
        {
            "min_letters": 4,
            "min_words": 2,
            "exempt": [
                "ADAC",
                "AIDS",
                "BAFÖG",
                "BITV",
                "BUND",
                "COVID",
                "DEKRA",
                "DLRG",
                "DSGVO",
                "ELSTER",
                "FSME",
                "IBAN",
                "JUZ",
                "KITA",
                "MRSA",
                "NABU",
                "NATO",
                "ÖPNV",
                "SARS",
                "UNESCO",
                "UNICEF",
                "WLAN",
                "HTML",
                "BUGA",
                "EXPO",
                "BARMER",
                "HAWK",
                "TÜV",
                "VHS",
            ],
            "punctuation": True,
        },
        "Netiquette: sachlicher Ton, kein Schreien.",
    ),
    ("tone.forbidden_terms", "block", {}, "Sachlichkeitsgebot staatlicher Äußerungen (BVerwG 10 C 6.16)."),
    (
        "neutrality.election_window",
        "block",
        {"outside_severity": "info"},
        "Neutralitätsgebot vor Wahlen (BVerfGE 44, 125). Geht an die Pressestelle.",
    ),
    (
        "neutrality.campaign_language",
        "block",
        {},
        "Neutralitätsgebot: Der Landkreis wirbt nicht für Parteien oder Personen.",
    ),
    (
        "press.relevant",
        "warn",
        {
            "speakers": [
                "Landrat",
                "Landrätin",
                "Kreisrat",
                "Kreisrätin",
                "Erster Kreisrat",
                "Erste Kreisrätin",
                "Dezernent*",
            ],
            "quote_window": 120,
        },
        "Pressearbeit bleibt bei der Pressestelle; sie prüft solche Beiträge mit.",
    ),
    (
        "links.domain",
        "warn",
        {
            "shorteners": [
                "bit.ly",
                "tinyurl.com",
                "t.co",
                "ow.ly",
                "goo.gl",
                "is.gd",
                "buff.ly",
                "rebrand.ly",
                "t1p.de",
                "shorturl.at",
                "cutt.ly",
                "tiny.cc",
                "lnkd.in",
                "s.id",
                "rb.gy",
                "bl.ink",
            ]
        },
        "Vertrauen und kein Tracking: eigene Seiten und vertrauenswürdige Behörden, keine Kurz-URLs.",
    ),
    (
        "links.own_domain",
        "info",
        {"min_length": 200},
        "Informationen müssen auch außerhalb der Plattform erreichbar sein (LfD Niedersachsen).",
    ),
    (
        "commercial",
        "warn",
        {
            "phrases": [
                "jetzt kaufen",
                "jetzt bestellen",
                "jetzt zuschlagen",
                "Rabattcode",
                "Rabatt-Code",
                "Gutscheincode",
                "Gutschein-Code",
                "Promo-Code",
                "Promocode",
                "Aktionscode",
                "Rabattaktion",
                "Sonderangebot*",
                "solange der Vorrat reicht",
                "nur für kurze Zeit",
                "Schnäppchen",
            ],
            "price_cues": [
                "kaufen",
                "kauft",
                "Rabatt*",
                "reduziert",
                "Sale",
                "sparen",
                "sparen Sie",
                "günstig*",
                "Sonderpreis*",
                "Aktionspreis*",
                "Angebotspreis*",
                "statt nur",
                "nur noch",
                "Shop",
                "Onlineshop",
                "Preisknaller",
                "Deal",
            ],
            "affiliate_parameters": [
                "tag",
                "aff",
                "aff_id",
                "affid",
                "affiliate",
                "partner",
                "partnerid",
                "awc",
                "clickref",
                "ref_",
            ],
        },
        "Behörden werben nicht für Produkte oder Anbieter.",
    ),
    (
        "schedule.staffed_hours",
        "warn",
        {
            "days": [1, 2, 3, 4, 5],
            "start": "08:00",
            "end": "16:00",
            "timezone": "Europe/Berlin",
            "holiday_country": "DE",
            "holiday_subdiv": "NI",
            "extra_closed_days": ["12-24", "12-31"],
        },
        "Kommentare werden nur zu Dienstzeiten beantwortet; Feiertage in Niedersachsen sind dienstfrei.",
    ),
]

TERMS = {
    "forbidden": [
        "Idiot*",
        "Vollidiot*",
        "Schwachkopf",
        "Dummkopf",
        "Depp*",
        "Trottel",
        "Volltrottel",
        "Penner",
        "Schmarotzer",
        "Sozialschmarotzer",
        "Asylant*",
        "Gutmensch*",
        "Lügenpresse",
        "Systempresse",
        "Gesindel",
        "Abschaum",
        "Versager",
        "Querulant*",
        "Zigeuner*",
        "Schwachsinn*",
        "Bullshit",
        "Scheiß*",
        "Scheiße",
        "verarschen",
        "Verarsche",
        "Arschloch",
        "Hurensohn",
        "Spast*",
        "Mongo",
    ],
    "campaign": [
        "wählen Sie uns",
        "wählen Sie mich",
        "wählt uns",
        "Ihre Stimme für",
        "Ihre Stimmen für",
        "wiederwählen",
        "Wiederwahl",
        "Wahlkampf*",
        "Wahlprogramm",
        "Wahlversprechen*",
        "unser Kandidat",
        "unsere Kandidatin",
        "unsere Kandidaten",
        "Kreuz bei der",
        "Kreuzchen bei",
    ],
    "press": [
        "Pressemitteilung*",
        "Pressemeldung*",
        "Presseinformation*",
        "Pressekonferenz*",
        "Pressestatement*",
        "Stellungnahme*",
        "nimmt Stellung",
        "im Namen des Landkreises",
        "der Landkreis erklärt",
        "offizielle Erklärung",
        "Sperrfrist",
        "dementiert",
        "Dementi",
    ],
}
AMTSDEUTSCH = [
    ("gemäß", "nach"),
    ("bzgl.", "zu, über"),
    ("bezüglich", "zu, über"),
    ("i. V. m.", "zusammen mit"),
    ("Inanspruchnahme", "Nutzung"),
    ("seitens", "von"),
    ("vonseiten", "von"),
    ("zwecks", "für, um … zu"),
    ("betreffs", "zu"),
    ("hinsichtlich", "zu, bei"),
    ("diesbezüglich", "dazu"),
    ("vorbehaltlich", "wenn"),
    ("unverzüglich", "sofort"),
    ("fernmündlich", "telefonisch"),
    ("postalisch", "per Post"),
    ("Postwertzeichen", "Briefmarke"),
    ("Lichtzeichenanlage", "Ampel"),
    ("Personenkraftwagen", "Auto"),
    ("Fahrzeugführer", "Fahrerin oder Fahrer"),
    ("beziehungsweise", "oder"),
    ("in Kenntnis setzen", "informieren"),
    ("zur Kenntnis nehmen", "lesen, wissen"),
    ("zu entrichten", "zu bezahlen"),
    ("entrichten", "bezahlen"),
    ("Verbringung", "Transport"),
    ("in Abhängigkeit von", "je nach"),
    ("nach Maßgabe", "nach"),
    ("unter Berücksichtigung", "mit Blick auf"),
    ("zum gegenwärtigen Zeitpunkt", "jetzt"),
    ("zu einem späteren Zeitpunkt", "später"),
    ("käuflich erwerben", "kaufen"),
    ("Vorsprache", "Besuch"),
    ("vorsprechen", "vorbeikommen"),
    ("Beibringung", "Vorlage"),
    ("beizubringen", "mitzubringen"),
    ("Zuwiderhandlung*", "Verstoß"),
    ("Nichtbeachtung", "wer sich nicht daran hält"),
    ("Ausfertigung", "Exemplar"),
    ("Bedienstete", "Mitarbeitende"),
    ("wohnhaft", "wohnt"),
]
PARTIES = [
    "CDU",
    "CSU",
    "SPD",
    "FDP",
    "AfD",
    "Bündnis 90/Die Grünen",
    "B90/Grüne",
    "Die Grünen",
    "Die Linke",
    "Linkspartei",
    "BSW",
    "Freie Wähler",
    "FREIE WÄHLER",
    "Die PARTEI",
    "ÖDP",
    "NPD",
]
ALLOWLIST = [
    ("own_domain", "lk-row.de", "Internetseite des Landkreises Rotenburg (Wümme)"),
    ("own_domain", "landkreis-rotenburg.de", "Weiterleitung auf lk-row.de"),
    ("domain", "niedersachsen.de", "Land Niedersachsen (auch nlga., service. …)"),
    ("domain", "bund.de", "Bundesbehörden (auch warnung., bbk., bsi. …)"),
    ("domain", "bundesregierung.de", ""),
    ("domain", "europa.eu", ""),
    ("domain", "rki.de", "Robert Koch-Institut"),
    ("domain", "dwd.de", "Deutscher Wetterdienst"),
    ("domain", "destatis.de", "Statistisches Bundesamt"),
    ("domain", "arbeitsagentur.de", ""),
    ("domain", "infektionsschutz.de", ""),
    ("email", "@lk-row.de", "alle Adressen der Kreisverwaltung"),
    ("phone", "04261 983", "Kreishaus Rotenburg, alle Durchwahlen"),
    ("address", "Hopfengarten 2", "Kreishaus Rotenburg (Wümme)"),
]


def install(apps, schema_editor):
    Rule = apps.get_model("etiquette", "Rule")
    Term = apps.get_model("etiquette", "Term")
    AllowlistEntry = apps.get_model("etiquette", "AllowlistEntry")
    RuleSetState = apps.get_model("etiquette", "RuleSetState")
    for position, (code, severity, parameters, why) in enumerate(RULES, start=1):
        Rule.objects.get_or_create(
            code=code,
            defaults={
                "kind": code,
                "severity": severity,
                "channels": [],
                "parameters": parameters,
                "active": True,
                "description": why,
                "position": position * 10,
            },
        )
    for term_list, terms in TERMS.items():
        for term in terms:
            Term.objects.get_or_create(term_list=term_list, term=term)
    for term, suggestion in AMTSDEUTSCH:
        Term.objects.get_or_create(term_list="amtsdeutsch", term=term, defaults={"suggestion": suggestion})
    for party in PARTIES:
        Term.objects.get_or_create(term_list="party", term=party, defaults={"case_sensitive": True})
    for kind, value, note in ALLOWLIST:
        AllowlistEntry.objects.get_or_create(kind=kind, value=value, defaults={"note": note})
    RuleSetState.objects.update_or_create(id=1, defaults={"token": "installed-0002"})


def uninstall(apps, schema_editor):
    apps.get_model("etiquette", "Rule").objects.filter(code__in=[rule[0] for rule in RULES]).delete()
    apps.get_model("etiquette", "Term").objects.all().delete()
    apps.get_model("etiquette", "AllowlistEntry").objects.all().delete()
    apps.get_model("etiquette", "RuleSetState").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("etiquette", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
