"""Login, the second factor (setup, code entry, backup codes) and the "Sicherheit" page."""

from base64 import b32encode
from binascii import unhexlify
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import policy, services
from .demo import DEMO_TOTP_COMMAND, DEMO_TOTP_SECRET
from .forms import EnrolForm, EnrolmentCodeForm, VerifyForm


class LoginView(auth_views.LoginView):
    """Django's login; django-axes counts the failures (see ``throttling``)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_second_factor"] = settings.DEBUG and settings.TWO_FACTOR_REQUIRED
        if context["demo_second_factor"]:
            context["demo_totp_secret"] = _grouped(DEMO_TOTP_SECRET)
            context["demo_totp_command"] = DEMO_TOTP_COMMAND
        return context


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _requested_next(request) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _url_with_next(view_name: str, next_url: str) -> str:
    url = reverse(view_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _grouped(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def _mark_verified(request, device) -> None:
    # A new session id for the now fully signed-in session (as Django does at login).
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[policy.SESSION_HAS_DEVICE] = True


@never_cache
@login_required
def verify(request, backup: bool = False):
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    totp_device = policy.totp_device_of(user)
    if totp_device is None:
        # No authenticator (any more – an administrator may have reset it).
        request.session[policy.SESSION_HAS_DEVICE] = False
        if policy.is_required_for(user):
            return HttpResponseRedirect(_url_with_next("accounts:enrol", _requested_next(request)))
        return HttpResponseRedirect(_next_url(request))
    device = totp_device
    remaining_backup_codes = StaticToken.objects.filter(device__user=user).count()
    if backup:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return HttpResponseRedirect(_url_with_next("accounts:verify", _requested_next(request)))
    form = VerifyForm(request.POST or None, device=device, backup=backup)
    if request.method == "POST" and form.is_valid():
        _mark_verified(request, form.device)
        if backup:
            left = StaticToken.objects.filter(device__user=user).count()
            messages.warning(
                request,
                _(
                    "You signed in with a backup code; %(left)d are left. Create new ones on the "
                    "Security page if you are running out."
                )
                % {"left": left},
            )
        return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "accounts/verify.html",
        {
            "form": form,
            "backup": backup,
            "next": _requested_next(request),
            "has_backup_codes": remaining_backup_codes > 0,
        },
    )


@never_cache
@login_required
def enrol(request):
    """Set up an authenticator app (or replace it, once this session is verified)."""
    user = request.user
    has_device = policy.has_device(user)
    if has_device and not user.is_verified():
        # Only a verified session may replace an authenticator; otherwise the password alone would do.
        return HttpResponseRedirect(_url_with_next("accounts:verify", _requested_next(request)))
    if (
        not has_device
        and policy.is_required_for(user)
        and request.session.get(policy.SESSION_ENROL_GRANTED) != user.pk
    ):
        # New, or after a reset: only with the one-time code an administrator issued (issue 14).
        code = request.POST.get("enrolment_code") or request.GET.get("enrolment_code") or ""
        form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if code and services.second_factor_enrolment_code_valid(user, code):
            request.session[policy.SESSION_ENROL_GRANTED] = user.pk
            return HttpResponseRedirect(_url_with_next("accounts:enrol", _requested_next(request)))
        if code:
            form = EnrolmentCodeForm({"enrolment_code": code})
            form.is_valid()
            form.add_error(
                "enrolment_code",
                _(
                    "This enrolment code is not valid (any more). Please ask the administration for a new one."
                ),
            )
        return render(
            request,
            "accounts/enrolment_code.html",
            {"form": form, "next": _requested_next(request)},
            status=400 if code else 200,
        )
    key = request.session.get(policy.SESSION_ENROL_KEY)
    if not key:
        key = random_hex(20)
        request.session[policy.SESSION_ENROL_KEY] = key
    form = EnrolForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        device, codes = services.second_factor_enrol(actor=user, user=user, key=key, last_t=form.matched_t)
        del request.session[policy.SESSION_ENROL_KEY]
        request.session.pop(policy.SESSION_ENROL_GRANTED, None)
        _mark_verified(request, device)
        request.session[policy.SESSION_NEW_BACKUP_CODES] = codes
        return HttpResponseRedirect(_url_with_next("accounts:backup_codes", _requested_next(request)))
    unsaved = TOTPDevice(user=user, key=key)
    qr_code = segno.make(unsaved.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_code": qr_code,
            "manual_key": _grouped(b32encode(unhexlify(key)).decode()),
            "replacing": has_device,
            "required": policy.is_required_for(user),
            "next": _requested_next(request),
        },
    )


@never_cache
@login_required
def backup_codes(request):
    """Shows newly made backup codes exactly once."""
    codes = request.session.pop(policy.SESSION_NEW_BACKUP_CODES, None)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@never_cache
@login_required
def security(request):
    user = request.user
    device = policy.totp_device_of(user)
    return render(
        request,
        "accounts/security.html",
        {
            "device": device,
            "backup_codes_left": StaticToken.objects.filter(device__user=user).count() if device else 0,
            "required": policy.is_required_for(user),
        },
    )


@require_POST
@login_required
def backup_codes_renew(request):
    try:
        codes = services.second_factor_backup_codes_renew(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:security")
    request.session[policy.SESSION_NEW_BACKUP_CODES] = codes
    return HttpResponseRedirect(_url_with_next("accounts:backup_codes", reverse("accounts:security")))


@require_POST
@login_required
def disable(request):
    try:
        services.second_factor_disable(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:security")
    request.session[policy.SESSION_HAS_DEVICE] = False
    messages.success(request, _("Two-factor sign-in is turned off."))
    return redirect("accounts:security")
