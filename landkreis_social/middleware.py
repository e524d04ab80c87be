"""Project-wide middleware."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Every answer that does not set its own ``Cache-Control`` is ``private, no-store``: pages show
    drafts, names and audit trails, and the county's office computers are shared – neither the browser
    (back button after logging out, the disk cache) nor a proxy may keep them. Static files (WhiteNoise,
    before this middleware) and views that choose their own caching (media thumbnails) keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
