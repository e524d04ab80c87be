from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from channels.signals import channel_attention_cleared


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from .delivery_services import channel_deliveries_requeue

        channel_attention_cleared.connect(
            channel_deliveries_requeue, dispatch_uid="publishing.requeue_channel"
        )
