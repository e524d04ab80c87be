import math
import re
import time
from binascii import unhexlify

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP

TOTP_TOLERANCE = 1  # accept the previous and the next 30-second code as well (clock drift)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, strip=True)

    def __init__(self, *args, backup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup = backup
        field = self.fields["code"]
        field.error_messages["required"] = (
            _("Please enter one of your backup codes.") if backup else _("Please enter the 6-digit code.")
        )
        if backup:
            field.label = _("Backup code")
            field.help_text = _("One of the ten codes you wrote down when you set up the app (8 characters).")
        else:
            field.label = _("6-digit code")
            field.help_text = _("The code your authenticator app shows now for Landkreis Social.")


class EnrolForm(CodeForm):
    """Confirms that the user's app computes the same codes as the key shown on the page."""

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.matched_t = -1

    def clean_code(self):
        code = _normalise(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("The code has 6 digits, e.g. 123456."), code="format")
        totp = TOTP(unhexlify(self.key))
        totp.time = time.time()
        if not totp.verify(int(code), tolerance=TOTP_TOLERANCE):
            raise forms.ValidationError(
                _(
                    "This code does not match. Check that the app shows the entry for Landkreis Social "
                    "and that the phone's clock is right, then enter the current code."
                ),
                code="invalid",
            )
        self.matched_t = totp.t()
        return code


class VerifyForm(CodeForm):
    """Checks a code against the user's authenticator (or backup codes), with django-otp's throttling:
    after each wrong code the next try must wait 1, 2, 4, 8 … seconds."""

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = _normalise(self.cleaned_data["code"])
        if not self.backup and not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("The code has 6 digits, e.g. 123456."), code="format")
        if self.backup and not re.fullmatch(r"[a-z2-7]{8}", code):
            raise forms.ValidationError(
                _("A backup code has 8 letters and digits, e.g. abcd2345."), code="format"
            )
        # Lock the device row so that two simultaneous guesses are counted as two (as django-otp does).
        with transaction.atomic():
            device = type(self.device).objects.select_for_update().get(pk=self.device.pk)
            allowed, info = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)
        if not allowed:
            seconds = max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong codes. Please wait %(seconds)d second and try again.",
                    "Too many wrong codes. Please wait %(seconds)d seconds and try again.",
                    seconds,
                )
                % {"seconds": seconds},
                code="throttled",
            )
        if not verified:
            raise forms.ValidationError(
                _("This backup code is not valid or has already been used.")
                if self.backup
                else _("This code is not valid. Enter the code your app shows now."),
                code="invalid",
            )
        self.device = device
        return code


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=500,
        strip=True,
        help_text=_("The code or link the administration gave you for setting up the second factor."),
    )
