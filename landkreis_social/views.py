import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from departments import roles
from departments.selectors import memberships_of

from .celery import app as celery_app
from .models import WorkerHeartbeat
from .start import start_page

logger = logging.getLogger(__name__)


@login_required
def home(request):
    groups = roles.user_groups(request.user)
    county_roles = [
        {"name": name, "description": roles.DESCRIPTIONS[name]}
        for name in (roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION)
        if name in groups
    ]
    return render(
        request,
        "home.html",
        {
            "memberships": memberships_of(request.user),
            "county_roles": county_roles,
            "start": start_page(request.user),
        },
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message goes to the log, not the client
        logger.warning("health: database unreachable: %s", exc)
        return "unavailable"
    return "ok"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("health: broker unreachable: %s", exc)
        return "unavailable"
    return "ok"


@require_GET
@never_cache
def health(request):
    """Database and broker reachability as JSON; 503 when one of them is down.

    Workers are reported for information (seconds since each one's last heartbeat) but do not make
    the endpoint fail: the web keeps serving while workers restart.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    workers = {}
    if checks["database"] == "ok":
        now = timezone.now()
        workers = {
            beat.worker: round((now - beat.last_seen).total_seconds())
            for beat in WorkerHeartbeat.objects.order_by("worker")[:50]
        }
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks, "workers_last_seen_seconds": workers}
    return JsonResponse(body, status=200 if healthy else 503)


def favicon(request):
    """Browsers ask for /favicon.ico on pages without <link rel="icon"> (error pages, files). Resolved
    per request: at import time the static manifest may not exist yet (a worker before collectstatic)."""
    return HttpResponsePermanentRedirect(static("icons/favicon.svg"))
