"""Property-based: the engine never raises, and every offset lies within the text it refers to."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etiquette.engine import load_ruleset
from etiquette.types import MediaLike, PostLike

NETWORKS = ("facebook", "instagram", "mastodon", "bluesky", "x", "sandbox", "linkedin", "threads")
# Pieces that wake the rules up, mixed with arbitrary Unicode.
PIECES = st.sampled_from(
    [
        "0171 1234567",
        "+49 (0) 4261 983-0",
        "DE89 3704 0044 0532 0130 00",
        "max@gmx.de",
        "geb. 1.2.1990",
        "Lindenweg 4",
        "https://bit.ly/x",
        "www.lk-row.de/a(b)",
        "#impfzentrumrotenburg",
        "#A",
        "🎉🎉🎉🎉",
        "👩‍⚕️",
        "🇩🇪",
        "𝐖𝐢𝐜𝐡𝐭𝐢𝐠",
        "HEUTE MORGEN",
        "!!",
        "??",
        "gemäß",
        "i. V. m.",
        "Bürger*innen",
        "Idiot",
        "CDU",
        "wählen Sie uns",
        "Pressemitteilung",
        "Landrat sagt „Hallo“",
        "19,99 € jetzt kaufen",
        "z. B.",
        "1. März",
        "\n",
        " ",
        ".",
        "„",
        "“",
        "İ",
        "ß",
        "\u200d",
        "\ufe0f",
        "\u0301",
        "\x00",
        "\ud7ff",
        "𝟘",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400), st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)
)
MEDIA = st.builds(
    MediaLike,
    kind=st.sampled_from(["image", "video"]),
    alt_text=st.text(max_size=60),
    credit=st.text(max_size=10),
    shows_people=st.booleans(),
    consent=st.booleans(),
    has_captions=st.booleans(),
)


def test_the_engine_never_raises_and_offsets_stay_within_the_text(db):
    ruleset = load_ruleset()

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        text=TEXTS,
        variant=st.one_of(st.none(), TEXTS),
        channels=st.lists(st.sampled_from(NETWORKS), max_size=4),
        link=st.one_of(st.just(""), st.text(max_size=30), st.just("https://t.co/x")),
        media=st.lists(MEDIA, max_size=3),
        when=st.one_of(
            st.none(),
            st.datetimes(
                min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
            ),
        ),
    )
    def check(text, variant, channels, link, media, when):
        variants = {channels[0]: variant} if channels and variant is not None else {}
        post = PostLike(
            text=text,
            link=link,
            channels=tuple(channels),
            media=tuple(media),
            scheduled_at=when,
            variants=variants,
        )
        findings = ruleset.check(post)
        for finding in findings:
            assert "could not be checked" not in finding.message_en, finding
            assert (finding.start is None) == (finding.end is None)
            if finding.start is None:
                continue
            within = variants[finding.channel] if finding.in_variant else text
            assert 0 <= finding.start <= finding.end <= len(within), (finding, len(within))
        assert findings == ruleset.check(post)  # deterministic

    check()
