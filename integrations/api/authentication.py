"""``Authorization: Bearer lks_…`` – the only way into the API (no session, no password)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .. import tokens
from ..models import IntegrationToken
from ..services import token_mark_used


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates as the integration's service user; ``request.auth`` is the token row."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            scheme, _sep, value = header.decode("latin-1").partition(" ")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        if scheme.lower() != "bearer":
            return None
        value = value.strip()
        lookup = tokens.lookup_of(value)
        token = None
        if lookup is not None:
            token = (
                IntegrationToken.objects.select_related(
                    "integration__service_user", "integration__responsible", "created_by"
                )
                .filter(lookup=lookup)
                .first()
            )
        if token is None or not tokens.matches(value, token.secret_hash):
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."))
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if not token.integration.active:
            raise exceptions.AuthenticationFailed(_("The integration is switched off."))
        token_mark_used(token=token, now=now)
        return token.integration.service_user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationTokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An integration token (lks_…), created by Administration.",
        }
