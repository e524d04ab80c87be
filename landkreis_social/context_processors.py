"""What every page's shell needs: the navigation (lazily), the county's name and logo, and whether the
shell may show the navigation at all (not before a needed second factor is entered)."""

from django.conf import settings

from accounts import policy

from .navigation import build


def _second_factor_pending(request, user) -> bool:
    """Signed in, but the code of a required (or enrolled) second factor is not entered yet: the code
    page shows no navigation, no unread count, nothing about the user's work."""
    session = getattr(request, "session", None)
    has_device = bool(session and session.get(policy.SESSION_HAS_DEVICE))
    if not has_device and not policy.is_required_for(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


def shell(request):
    user = getattr(request, "user", None)
    county = {
        "name": settings.COUNTY_NAME,
        "app_name": settings.COUNTY_APP_NAME,
        "logo": settings.COUNTY_LOGO,
    }
    if user is None or not user.is_authenticated or _second_factor_pending(request, user):
        return {"navigation": None, "county": county}
    return {"navigation": build(request), "county": county}
