"""Ordinary county posts pass the whole default rule set on every network, unchanged."""

import pytest

from .conftest import ALL_NETWORKS, CLEAN_POSTS, GOOD_IMAGE


@pytest.mark.parametrize("text", CLEAN_POSTS, ids=lambda t: t[:40])
def test_clean_county_post_has_no_findings_on_any_network(check, text):
    findings = check(text, channels=ALL_NETWORKS, media=(GOOD_IMAGE,))
    assert [(f.rule, f.channel, f.message) for f in findings] == []


def test_a_long_information_post_with_a_link_to_the_county_site_is_clean(check):
    text = (
        "Ab dem 1. April ändert sich die Abfuhr der Biotonne. In den Sommermonaten wird sie jede Woche "
        "geleert, im Winter alle zwei Wochen. Die neuen Termine stehen im Abfallkalender. Sie finden ihn "
        "auf unserer Seite und in der App. Die Gebühren bleiben gleich. Bei Fragen hilft Ihnen das Team "
        "der Abfallwirtschaft gern weiter: https://www.lk-row.de/abfall"
    )
    findings = check(text, channels=("facebook", "mastodon"))
    assert [(f.rule, f.message) for f in findings] == []
