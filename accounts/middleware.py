"""Until a user who needs a second factor has entered a code, every page sends them to the code page.

Install after ``django_otp.middleware.OTPMiddleware`` (which tells whether the session is verified).
Exempt are the pages needed to get verified or to leave: the code and setup pages, logout, the
language switch and ``/health/``. Static files never reach this (WhiteNoise serves them earlier).
"""

from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import policy

EXEMPT_VIEWS = frozenset(
    {
        "accounts:verify",
        "accounts:verify_backup",
        "accounts:enrol",
        "logout",
        "set_language",
        "health",
        "theme_css",  # the colours of the code page itself
        "favicon",
    }
)


def second_factor_url(request, view_name: str) -> str:
    next_url = request.get_full_path() if request.method == "GET" else ""
    url = reverse(view_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url and next_url != "/" else url


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in EXEMPT_VIEWS:
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        has_device = bool(request.session.get(policy.SESSION_HAS_DEVICE))
        if not has_device and not policy.is_required_for(user):
            return None
        if user.is_verified():
            return None
        url = second_factor_url(request, "accounts:verify" if has_device else "accounts:enrol")
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment; ask it to load the whole page instead.
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
