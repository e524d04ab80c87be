"""Errors as ``application/problem+json`` (RFC 9457).

Every error answer has ``type`` (a URI naming the kind of problem, under ``/api/v1/problems/``),
``title`` and ``detail`` (in the request's language, German by default), ``status`` and ``instance``;
validation problems add ``errors``: ``[{"field", "code", "message": {"de", "en"}}]`` – one entry per
message, ``field`` ``null`` for a problem of the whole request. Etiquette refusals add ``findings``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from approvals.services import InvalidReviewState
from posts.selectors import PostLocked
from posts.services import InvalidTransition, SubmissionBlocked

from ..i18n import bilingual, preferred, request_language

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"

# kind -> (status, title)
KINDS = {
    "validation": (400, _("Your request contains invalid values.")),
    "malformed": (400, _("The request body cannot be read.")),
    "unauthenticated": (401, _("A valid integration token is required.")),
    "forbidden": (403, _("This token may not do that.")),
    "not-found": (404, _("Not found.")),
    "method-not-allowed": (405, _("This method is not allowed here.")),
    "not-acceptable": (406, _("The requested response format is not offered.")),
    "conflict": (409, _("The post is not in a state that allows this.")),
    "idempotency-in-progress": (409, _("A request with this Idempotency-Key is still running.")),
    "too-large": (413, _("The request is too large.")),
    "unsupported-media-type": (415, _("This content type is not accepted.")),
    "submission-blocked": (422, _("The post cannot be submitted.")),
    "idempotency-key-reused": (
        422,
        _("This Idempotency-Key was used with a different request body."),
    ),
    "rate-limited": (429, _("Too many requests for this token.")),
    "server-error": (500, _("Something went wrong on our side.")),
}


class Problem(exceptions.APIException):
    """Raise with a kind of :data:`KINDS`; ``errors`` and ``extra`` go into the body."""

    def __init__(self, kind: str, detail=None, *, errors=None, extra=None, headers=None):
        self.kind = kind
        self.status_code = KINDS[kind][0]
        self.problem_detail = detail
        self.errors = errors or []
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(detail or KINDS[kind][1])


def _entry(field, message) -> dict:
    return {
        "field": field,
        "code": getattr(message, "code", None) or "invalid",
        "message": bilingual(message),
    }


def field_errors(detail, path: str | None = None) -> list[dict]:
    """Flatten DRF's nested error structures into ``[{"field", "code", "message"}]`` (``a.0.b`` paths)."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                out += field_errors(value, path)
            else:
                out += field_errors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, str):
                out.append(_entry(path, item))
            else:
                out += field_errors(item, f"{path}.{index}" if path else str(index))
    else:
        out.append(_entry(path, detail))
    return out


def _django_validation_errors(error: DjangoValidationError) -> list[dict]:
    out = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    out.append(
                        {
                            "field": None if field == "__all__" else field,
                            "code": item.code or "invalid",
                            "message": bilingual(message),
                        }
                    )
    else:
        for item in error.error_list:
            for message in item.messages:
                out.append({"field": None, "code": item.code or "invalid", "message": bilingual(message)})
    return out


def problem_response(request, kind: str, *, detail=None, errors=None, extra=None, headers=None) -> Response:
    language = request_language(request) if request is not None else "de"
    status_code, title = KINDS[kind]
    title_texts = bilingual(str(title))
    body = {
        "type": f"{PROBLEM_BASE}{kind}",
        "title": preferred(title_texts, language),
        "status": status_code,
        "detail": preferred(bilingual(detail), language) if detail else preferred(title_texts, language),
    }
    if request is not None:
        body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def findings_json(findings) -> list[dict]:
    """Etiquette findings as the API shows them (German and English message)."""
    return [
        {
            "rule": f.rule,
            "severity": str(f.severity),
            "channel": f.channel or None,
            "message": {"de": f.message, "en": f.message_en or f.message},
            "start": f.start,
            "end": f.end,
            "in_variant": f.in_variant,
        }
        for f in findings
    ]


def exception_handler(exc, context):
    """DRF's exception handler, answering every error as problem+json."""
    request = context.get("request")
    if isinstance(exc, Problem):
        return problem_response(
            request,
            exc.kind,
            detail=exc.problem_detail,
            errors=exc.errors if exc.errors else None,
            extra=exc.extra,
            headers=exc.headers,
        )
    if isinstance(exc, SubmissionBlocked):
        return problem_response(
            request,
            "submission-blocked",
            detail=exc.messages[0] if len(exc.messages) == 1 else None,
            errors=_django_validation_errors(exc),
            extra={"findings": findings_json(exc.findings)},
        )
    if isinstance(exc, InvalidTransition | InvalidReviewState):
        return problem_response(
            request, "conflict", detail=exc.messages[0], errors=_django_validation_errors(exc)
        )
    if isinstance(exc, PostLocked):
        return problem_response(request, "conflict", detail=str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return problem_response(request, "validation", errors=_django_validation_errors(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return problem_response(request, "forbidden", detail=str(exc) or None)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return problem_response(request, "not-found")
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(request, "validation", errors=field_errors(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return problem_response(request, "malformed", detail=str(exc.detail))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return problem_response(
            request,
            "unauthenticated",
            detail=str(exc.detail),
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        return problem_response(request, "forbidden", detail=str(exc.detail))
    if isinstance(exc, exceptions.MethodNotAllowed):
        response = drf_exception_handler(exc, context)
        return problem_response(
            request, "method-not-allowed", headers={"Allow": response.get("Allow", "")} if response else None
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return problem_response(request, "not-acceptable")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return problem_response(request, "unsupported-media-type", detail=str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(exc.wait or 1))
        return problem_response(
            request,
            "rate-limited",
            detail=None,
            headers={"Retry-After": str(wait)},
            extra={"retry_after": wait},
        )
    if isinstance(exc, exceptions.APIException):
        kind = {413: "too-large"}.get(exc.status_code, "validation" if exc.status_code == 400 else None)
        if kind:
            return problem_response(request, kind, detail=str(exc.detail))
    return None  # a real server error: Django's 500 handling (and the test suite) sees it
