"""Media files: private originals, thumbnails, captions, the public links the networks fetch."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .. import selectors

# --- media ---------------------------------------------------------------------------------------------


def _file_response(field, *, content_type: str, filename: str = "", private: bool = True):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=filename or None)
    response["X-Content-Type-Options"] = "nosniff"
    # A medium behind the login is a draft's picture or captions: not kept on a shared computer's disk
    # (issue 14). The signed public address (for Instagram's fetch) may be cached.
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def media_file(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    return _file_response(media.file, content_type=media.mime_type)


@login_required
@require_GET
def media_thumbnail(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    return _file_response(media.thumbnail, content_type="image/jpeg")


@login_required
@require_GET
def media_captions(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    content_type = mimetypes.guess_type(media.captions.name)[0] or "text/plain"
    if media.captions.name.endswith(".vtt"):
        content_type = "text/vtt"
    return _file_response(media.captions, content_type=f"{content_type}; charset=utf-8")


@require_GET
def media_public(request, token):
    """A medium for a network that fetches it itself (Instagram): signed, expiring, no login."""
    media = selectors.media_from_public_token(token)
    return _file_response(media.file, content_type=media.mime_type, private=False)
