from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from channels.signals import channel_attention_cleared
from posts import hooks as post_hooks
from posts.signals import post_rescheduled


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from .delivery_services import channel_deliveries_requeue, deliveries_reschedule_for_post
        from .selectors import with_deliveries

        channel_attention_cleared.connect(
            channel_deliveries_requeue, dispatch_uid="publishing.requeue_channel"
        )
        # Rescheduling an approved post moves its waiting deliveries (one owner: publishing).
        post_rescheduled.connect(
            lambda sender, *, actor, post, **kwargs: deliveries_reschedule_for_post(actor=actor, post=post),
            dispatch_uid="publishing.reschedule_deliveries",
            weak=False,
        )
        # The calendar shows each post's delivery state per channel (one more query).
        post_hooks.register_calendar_prefetch(with_deliveries)
