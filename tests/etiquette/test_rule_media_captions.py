from etiquette.types import MediaLike, Severity

from .conftest import GOOD_IMAGE, of_rule


def test_video_without_captions_blocks(check):
    media = (GOOD_IMAGE, MediaLike(kind="video", credit="Video: Landkreis", has_captions=False))
    findings = of_rule(check("Text", media=media), "media.captions")
    assert [(f.media_index, f.severity) for f in findings] == [(1, Severity.BLOCK)]
    assert "Video 2" in findings[0].message


def test_captioned_video_and_images_pass(check):
    media = (GOOD_IMAGE, MediaLike(kind="video", credit="Video: Landkreis", has_captions=True))
    assert of_rule(check("Text", media=media), "media.captions") == []
