from etiquette.types import Severity

from .conftest import of_rule

LONG = (
    "Ab dem 1. April ändert sich die Abfuhr der Biotonne. In den Sommermonaten wird sie jede Woche "
    "geleert, im Winter alle zwei Wochen. Die neuen Termine stehen im Abfallkalender. Die Gebühren "
    "bleiben gleich. Bei Fragen hilft Ihnen das Team der Abfallwirtschaft gern."
)


def test_a_long_post_without_a_link_to_the_county_site_gets_a_note(check):
    assert len(LONG) > 200
    findings = of_rule(check(LONG), "links.own_domain")
    assert [(f.severity, f.start) for f in findings] == [(Severity.INFO, None)]


def test_a_link_in_the_text_or_in_the_link_field_or_a_short_post_passes(check):
    assert of_rule(check(LONG + " https://www.lk-row.de/abfall"), "links.own_domain") == []
    assert of_rule(check(LONG, link="https://lk-row.de/abfall"), "links.own_domain") == []
    assert of_rule(check(LONG[:190]), "links.own_domain") == []
