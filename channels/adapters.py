"""Building a channel's network adapter: decrypt its credentials and wire up session storage.

    from channels.adapters import adapter_for
    ref = adapter_for(channel).publish(PostContent(text=..., idempotency_key=str(delivery.pk)))

``adapter_for`` raises :class:`PublishError` (permanent, ``credentials_problem``) when the stored
credentials are missing, malformed or cannot be decrypted – nothing is sent to the network then.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from . import crypto
from .models import Channel
from .networks import registry
from .networks.addresses import address_problem
from .networks.base import ChannelConfig, ErrorKind, NetworkAdapter, PublishError


def adapter_for(channel: Channel, *, timeout: float | None = None) -> NetworkAdapter:
    adapter_class = registry.get(channel.kind)
    try:
        credentials = crypto.decrypt_json(channel.credentials_encrypted)
        session = crypto.decrypt_text(channel.session_encrypted)
    except crypto.CredentialsUnreadable as exc:
        raise PublishError(str(exc), kind=ErrorKind.PERMANENT, credentials_problem=True) from None
    problems = adapter_class.validate_credentials(credentials)
    if problems:
        raise PublishError(
            _("%(network)s: credentials are missing or incomplete (%(problems)s)")
            % {"network": adapter_class.label, "problems": " ".join(str(p) for p in problems)},
            kind=ErrorKind.PERMANENT,
            credentials_problem=True,
        )

    if channel.base_url and (problem := address_problem(channel.base_url)):
        # Checked again on every use: a name may resolve to an internal address later (issue 14).
        raise PublishError(
            f"{adapter_class.label}: {problem}", kind=ErrorKind.PERMANENT, credentials_problem=True
        )

    def store_session(new_session: str) -> None:
        from .services import channel_store_session

        channel_store_session(channel_id=channel.pk, session=new_session)

    config = ChannelConfig(
        credentials=credentials,
        account=channel.account,
        base_url=channel.base_url,
        channel_id=channel.pk,
        timeout=timeout or settings.PUBLISHING_NETWORK_TIMEOUT,
        session=session,
        on_session_change=store_session,
    )
    return adapter_class(config)
