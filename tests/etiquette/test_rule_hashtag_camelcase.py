from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


def test_long_lowercase_hashtag_warns_with_its_place(check):
    text = "Heute eröffnet das neue Impfzentrum. #impfzentrumrotenburg #Impfen"
    findings = of_rule(check(text), "hashtag.camelcase")
    assert [(f.start, f.end, f.severity) for f in findings] == [
        (*span_of(text, "#impfzentrumrotenburg"), Severity.WARN)
    ]


def test_camel_case_short_and_link_fragments_pass(check):
    text = (
        "#ImpfzentrumRotenburg #impfung #zulassungen Details: https://www.lk-row.de/seite#abschnittimpfungen "
        "#2027"
    )
    assert marked(check(text), "hashtag.camelcase", text) == []


def test_twelve_letters_is_the_boundary(check):
    assert marked(check("#abfallkalen"), "hashtag.camelcase", "#abfallkalen") == []  # 11 letters
    assert marked(check("#abfallkalend"), "hashtag.camelcase", "#abfallkalend") == ["#abfallkalend"]  # 12
