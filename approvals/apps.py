from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import registry


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from .models import ReviewStep

        # Notifications name the review step ("… waits for your review (Koordination)").
        registry.register_label("step", lambda kind: ReviewStep.Kind(kind).label)
