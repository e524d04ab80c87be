"""Login throttling with django-axes: after ``AXES_FAILURE_LIMIT`` wrong passwords for one user name
from one address, that combination is locked for ``AXES_COOLOFF_TIME``. The locked-out user sees the
login page again with the reason next to the form (HTTP 429), not a bare error page."""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import ngettext


def client_ip(request) -> str | None:
    """The address failures are counted for (``AXES_CLIENT_IP_CALLABLE``).

    Behind the TLS proxy (``DJANGO_BEHIND_PROXY``) every request comes from the proxy; the client is
    the right-most entry of ``X-Forwarded-For``, the one the proxy itself appended (entries further
    left come from the client and can be forged).
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return ngettext(
        "Too many failed login attempts. Sign-in for this user name from this device is blocked "
        "for %(minutes)d minute. Please wait, or ask the administration to unlock it.",
        "Too many failed login attempts. Sign-in for this user name from this device is blocked "
        "for %(minutes)d minutes. Please wait, or ask the administration to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page with the lockout reason; the user name stays filled in."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "lockout_message": lockout_message(),
            "next": request.POST.get("next", request.GET.get("next", "")),
            "demo_second_factor": False,
        },
        status=429,
    )
