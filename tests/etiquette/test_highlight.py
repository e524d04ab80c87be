"""``highlight_text``: escaped text, flat marks for overlapping findings, XSS-safe."""

from etiquette.highlight import highlight_text
from etiquette.types import Finding, Severity


def f(rule, start, end, severity=Severity.WARN, **kwargs):
    return Finding(rule=rule, severity=severity, message="m", start=start, end=end, **kwargs)


def test_text_is_escaped_and_findings_marked():
    text = "<b>HEUTE</b> & 0171 1234567"
    html = highlight_text(text, [f("tone.shouting", 3, 8), f("personal_data", 15, 27, Severity.BLOCK)])
    assert html == (
        '&lt;b&gt;<mark class="finding finding-warn" data-rule="tone.shouting">HEUTE</mark>&lt;/b&gt; &amp; '
        '<mark class="finding finding-block" data-rule="personal_data">0171 1234567</mark>'
    )


def test_overlapping_findings_become_flat_segments_with_the_worst_severity():
    text = "abcdefghij"
    html = highlight_text(text, [f("a", 0, 6, Severity.INFO), f("b", 3, 9, Severity.BLOCK)])
    assert html == (
        '<mark class="finding finding-info" data-rule="a">abc</mark>'
        '<mark class="finding finding-block" data-rule="a b">def</mark>'
        '<mark class="finding finding-block" data-rule="b">ghi</mark>j'
    )


def test_script_in_the_text_cannot_escape_the_marks():
    text = '"><script>alert(1)</script>'
    html = highlight_text(text, [f("x", 0, len(text))])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&quot;&gt;" in html


def test_findings_without_place_outside_the_text_or_of_a_variant_are_ignored():
    text = "Kurz"
    findings = [f("a", None, None), f("b", 2, 99), f("c", 0, 4, in_variant=True, channel="x")]
    assert highlight_text(text, findings) == "Kurz"
    assert (
        highlight_text(text, findings, channel="x")
        == '<mark class="finding finding-warn" data-rule="c">Kurz</mark>'
    )


def test_template_filter_and_fragment():
    from django.template.loader import render_to_string

    text = "HEUTE <i>zu</i>"
    html = render_to_string(
        "etiquette/_findings.html", {"findings": [f("tone.shouting", 0, 5)], "text": text}
    )
    assert (
        '<mark class="finding finding-warn" data-rule="tone.shouting">HEUTE</mark> &lt;i&gt;zu&lt;/i&gt;'
        in html
    )
