from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        # The sandbox network's comment section is this app's table (see inbox.sandbox).
        from . import sandbox

        sandbox.register()
