from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .policy import SESSION_HAS_DEVICE, has_device


@receiver(user_logged_in, dispatch_uid="accounts.remember_second_factor")
def remember_second_factor(sender, request, user, **kwargs):
    """Note in the new session whether this user has an authenticator (one query, at login only)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_HAS_DEVICE] = has_device(user)
