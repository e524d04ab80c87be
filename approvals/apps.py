from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import registry
from posts import hooks as post_hooks


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from . import workflow
        from .models import ReviewStep
        from .selectors import is_current_reviewer

        # Notifications name the review step ("… waits for your review (Koordination)").
        registry.register_label("step", lambda kind: ReviewStep.Kind(kind).label)
        # Submitting and editing a post open or move its review (approvals.workflow).
        workflow.connect()
        # The reviewer of the open step may edit the post in review (posts.selectors.can_edit).
        post_hooks.register_review_editor(is_current_reviewer)
