from etiquette.types import MediaLike, Severity

from .conftest import GOOD_IMAGE, of_rule


def test_image_without_alt_text_blocks_and_names_the_image(check):
    findings = of_rule(
        check("Neue Spielgeräte im Kreispark.", media=(GOOD_IMAGE, MediaLike(alt_text="  "))),
        "alt_text.missing",
    )
    assert [(f.media_index, f.severity, f.start) for f in findings] == [(1, Severity.BLOCK, None)]
    assert "Bild 2" in findings[0].message


def test_images_with_alt_text_and_videos_are_not_flagged(check):
    video = MediaLike(kind="video", has_captions=True, credit="Video: Landkreis")
    assert (
        of_rule(check("Rundgang durch das Impfzentrum.", media=(GOOD_IMAGE, video)), "alt_text.missing") == []
    )
