"""``Idempotency-Key`` on every POST of the API.

The first request with a key claims it: a row (token, key, fingerprint of the request, ``running``) is
inserted and committed before the work starts; the unique constraint lets exactly one of any number
of parallel requests win. When the work ends, its answer (status, body, a few headers) is stored –
errors too, except server errors, after which the key is released for a retry. A later request with
the same key:

- another body (fingerprint) → 422 ``idempotency-key-reused``;
- the first is done → its stored answer, with ``Idempotent-Replayed: true``;
- the first still runs → waits for it (polling, up to ``LANDKREIS_API_IDEMPOTENCY_WAIT`` seconds), then
  answers as above; if it is still running then → 409 ``idempotency-in-progress`` (retry later).

The claim must commit before the work starts, so the API runs without ``ATOMIC_REQUESTS`` (the project
does not use it); inside a test's transaction the same code runs in savepoints.

Keys are kept 24 hours (``purge_idempotency_keys`` runs hourly); an older key counts as new.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from ..models import IdempotencyKey
from .problems import PROBLEM_CONTENT_TYPE, Problem, exception_handler

KEY_TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"
STORED_HEADERS = ("Location",)
POLL_SECONDS = 0.05


def fingerprint(request) -> str:
    """SHA-256 of method, path and the parsed body (files by their content), so that a multipart body
    sent again with another boundary is still the same request."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):
        fields = {key: values for key, values in data.lists() if not hasattr(values[0], "read")}
    else:
        fields = data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"\nfile {name} {upload.name} ".encode())
            file_digest = hashlib.sha256()
            for chunk in upload.chunks():
                file_digest.update(chunk)
            upload.seek(0)
            digest.update(file_digest.hexdigest().encode())
    return digest.hexdigest()


def _replay(record: IdempotencyKey) -> Response:
    headers = {**record.response_headers, "Idempotent-Replayed": "true"}
    content_type = headers.pop("Content-Type", None)
    return Response(
        record.response_body, status=record.response_status, headers=headers, content_type=content_type
    )


def _claim(token, key: str, request_hash: str) -> tuple[IdempotencyKey, bool]:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(token=token, key=key, request_hash=request_hash), True
    except IntegrityError:
        record = IdempotencyKey.objects.filter(token=token, key=key).first()
        if record is None:  # released (the first failed) between our insert and our read: try again
            return _claim(token, key, request_hash)
        if record.created_at < timezone.now() - KEY_TTL:  # older than 24 hours: forgotten, a new key
            IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            return _claim(token, key, request_hash)
        return record, False


def run(request, view, handler: Callable[[], Response]) -> Response:
    """Answer ``handler()`` once per key (see the module's description)."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not (1 <= len(key) <= 255) or not key.isprintable():
        raise Problem(
            "validation",
            errors=[
                {
                    "field": None,
                    "code": "idempotency_key",
                    "message": {
                        "de": "Der Idempotency-Key muss 1 bis 255 druckbare Zeichen lang sein.",
                        "en": "The Idempotency-Key must be 1 to 255 printable characters.",
                    },
                }
            ],
        )
    request_hash = fingerprint(request)
    deadline = time.monotonic() + settings.LANDKREIS_API_IDEMPOTENCY_WAIT
    while True:
        record, mine = _claim(request.auth, key, request_hash)
        if mine:
            break
        if record.request_hash != request_hash:
            raise Problem("idempotency-key-reused")
        while record is not None and record.state == IdempotencyKey.State.RUNNING:
            if time.monotonic() > deadline:
                raise Problem("idempotency-in-progress", headers={"Retry-After": "1"})
            time.sleep(POLL_SECONDS)
            record = IdempotencyKey.objects.filter(pk=record.pk).first()
        if record is not None:
            return _replay(record)
        # the first request failed with a server error and released the key: claim it ourselves

    try:
        try:
            response = handler()
        except Exception as exc:
            response = exception_handler(exc, {"request": request, "view": view})
            if response is None:
                raise
    except BaseException:
        IdempotencyKey.objects.filter(pk=record.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotencyKey.objects.filter(pk=record.pk).delete()
        return response
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    if response.status_code >= 400:
        headers["Content-Type"] = PROBLEM_CONTENT_TYPE
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyKey.State.DONE,
        response_status=response.status_code,
        response_body=response.data,
        response_headers=headers,
    )
    return response


def purge(now=None) -> int:
    now = now or timezone.now()
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=now - KEY_TTL).delete()
    return deleted
