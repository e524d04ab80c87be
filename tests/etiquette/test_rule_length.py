"""``length``: counted the network's way, offsets mark the part that no longer fits."""

from etiquette.types import Severity

from .conftest import of_rule


def test_x_counts_links_as_23_and_marks_the_overflow(check):
    # 250 letters + a long link: 250 + 1 + 23 = 274 on X (fits), although it has 330 characters.
    text = "a" * 250 + " https://www.lk-row.de/" + "x" * 60
    assert len(text) > 280
    assert of_rule(check(text, channels=("x",)), "length") == []
    longer = "Wichtig für alle Eltern. " * 12  # 300 characters, no links
    findings = of_rule(check(longer, channels=("x",)), "length")
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.channel, finding.severity) == ("x", Severity.BLOCK)
    assert (finding.start, finding.end) == (280, 300)
    assert "300 Zeichen, erlaubt sind 280" in finding.message


def test_x_counts_emoji_double(check):
    text = "🚒" * 141  # 282 weighted characters in 141 code points
    findings = of_rule(check(text, channels=("x",)), "length")
    assert len(findings) == 1 and "282 Zeichen" in findings[0].message
    assert (findings[0].start, findings[0].end) == (140, 141)
    assert of_rule(check("🚒" * 140, channels=("x",)), "length") == []


def test_bluesky_counts_graphemes_not_code_points(check):
    family = "👨‍👩‍👧"  # one grapheme, five code points
    assert of_rule(check(family * 300, channels=("bluesky",)), "length") == []
    findings = of_rule(check(family * 301, channels=("bluesky",)), "length")
    assert len(findings) == 1 and findings[0].start == 300 * len(family)


def test_linkedin_and_threads_have_no_adapter_but_limits_from_the_parameters(check):
    assert of_rule(check("a" * 500, channels=("threads",)), "length") == []
    findings = of_rule(check("a" * 501, channels=("threads", "linkedin")), "length")
    assert [(f.channel, f.start) for f in findings] == [("threads", 500)]


def test_each_network_is_judged_on_its_own_variant(check):
    long_text = "Die Kreisverwaltung informiert über neue Öffnungszeiten. " * 6  # 342 characters
    findings = check(
        long_text, channels=("x", "facebook"), variants={"x": "Neue Öffnungszeiten im Kreishaus."}
    )
    assert of_rule(findings, "length") == []
    findings = check("kurz", channels=("x", "facebook"), variants={"x": long_text})
    (finding,) = of_rule(findings, "length")
    assert finding.channel == "x" and finding.in_variant and finding.end == len(long_text)


def test_limit_is_a_parameter(check, rule_update):
    rule_update("length", parameters={"limits": {"x": 280, "mastodon": 50}})
    findings = of_rule(
        check("Ein Satz mit etwas mehr als fünfzig Zeichen für Mastodon.", channels=("mastodon",)), "length"
    )
    assert len(findings) == 1 and "erlaubt sind 50" in findings[0].message


def test_the_marked_overflow_starts_exactly_where_the_text_stops_fitting():
    from etiquette.channels import count_length
    from etiquette.kinds.length import overflow_start

    texts = [
        "Termine unter https://www.lk-row.de/termine buchen! 🚗 " * 12,
        "👩‍⚕️ Impfberatung im Kreishaus, Hopfengarten 2. " * 10,
        "Straßenverkehrsamt: Öffnungszeiten geändert. " * 9,
    ]
    for network, limit in (("x", 280), ("bluesky", 300), ("mastodon", 120), ("threads", 100)):
        for text in texts:
            start = overflow_start(network, text, limit)
            assert count_length(network, text[:start]) <= limit < count_length(network, text[: start + 1]), (
                network
            )
