"""Facebook/Instagram webhooks (field ``feed`` / ``comments``, ``mentions``): Meta pushes that something
happened on a page or an Instagram account; the inbox then fetches that channel at once, through the same
path as the poll (which stays as the safety net – a lost push delays an item by one poll at most).

- ``GET``: the verify-token handshake (``hub.mode=subscribe``, ``hub.verify_token``, ``hub.challenge``).
- ``POST``: only with a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret,
  compared in constant time); the body's ``entry[].id`` names the page / account. The push's content is
  not stored: the fetch reads the item with its context from the API.
Without ``LANDKREIS_META_APP_SECRET`` and ``LANDKREIS_META_VERIFY_TOKEN`` the endpoint answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels.networks import registry

from . import fetching, tasks

logger = logging.getLogger(__name__)
MAX_BODY = 1_000_000


def signature_valid(body: bytes, header: str, secret: str) -> bool:
    if not header.startswith("sha256=") or not secret:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta(request):
    secret, token = settings.INBOX_META_APP_SECRET, settings.INBOX_META_VERIFY_TOKEN
    if not secret or not token:
        raise Http404
    if request.method == "GET":
        if request.GET.get("hub.mode") == "subscribe" and hmac.compare_digest(
            request.GET.get("hub.verify_token", ""), token
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden("verify token does not match")
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256", ""), secret):
        logger.warning("inbox webhook: request with a missing or wrong signature refused")
        return HttpResponseForbidden("signature does not match")
    try:
        payload = json.loads(body)
        accounts = {
            str(entry["id"])
            for entry in payload.get("entry", [])
            if isinstance(entry, dict) and "id" in entry
        }
    except (ValueError, TypeError, AttributeError, KeyError):
        return JsonResponse({"error": "unreadable body"}, status=400)
    kinds = [kind for kind in registry.readers() if registry.get(kind).webhook_source == "meta"]
    ids = list(
        fetching.readable_channels().filter(kind__in=kinds, account__in=accounts).values_list("pk", flat=True)
    )
    for channel_id in ids:
        transaction.on_commit(lambda channel_id=channel_id: _queue(channel_id))
    return JsonResponse({"channels": len(ids)})


def _queue(channel_id: int) -> None:
    try:
        tasks.fetch.apply_async(args=[channel_id], retry_policy={"max_retries": 1})
    except Exception:
        logger.warning("inbox webhook: broker unreachable, channel %s waits for the poll", channel_id)
