"""Administrators reset a user's second factor from the user list (audited).

django-otp's own device admins are removed: they would let an administrator create a device with a
key they know, or delete one without a trace. Every change goes through ``services`` instead.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services

User = get_user_model()

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

BaseUserAdmin = type(admin.site.get_model_admin(User))
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [*(BaseUserAdmin.actions or ()), "reset_second_factor", "issue_enrolment_code"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "has_second_factor"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(confirmed))

    @admin.display(boolean=True, description=_("2FA"), ordering="second_factor")
    def has_second_factor(self, user):
        return user.second_factor

    @admin.action(
        description=_("Issue a one-time enrolment code for the second factor"),
        permissions=["change"],
    )
    def issue_enrolment_code(self, request, queryset):
        """Shown once, here: the administrator passes it on (in person or by phone, not by e-mail)."""
        for user in queryset:
            code = services.second_factor_enrolment_code_issue(actor=request.user, user=user)
            link = settings.SITE_URL + reverse("accounts:enrol") + "?" + urlencode({"enrolment_code": code})
            self.message_user(
                request,
                _("Enrolment link for %(user)s (shown only now, valid for %(hours)s hours): %(link)s")
                % {
                    "user": user.get_username(),
                    "hours": round(settings.TWO_FACTOR_ENROLMENT_CODE_SECONDS / 3600),
                    "link": link,
                },
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Reset two-factor sign-in (lost phone)"),
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset):
        reset = [user for user in queryset if services.second_factor_reset(actor=request.user, user=user)]
        if reset:
            self.message_user(
                request,
                ngettext(
                    "Two-factor sign-in reset for %(count)d user. They set up a new app at their next sign-in.",
                    "Two-factor sign-in reset for %(count)d users. They set up a new app at their next sign-in.",
                    len(reset),
                )
                % {"count": len(reset)},
                messages.SUCCESS,
            )
        skipped = queryset.count() - len(reset)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d user had no second factor to reset.",
                    "%(count)d users had no second factor to reset.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
