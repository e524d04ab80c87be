from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        # The webhook events of this app register themselves (other apps add theirs the same way).
        from . import events  # noqa: F401
