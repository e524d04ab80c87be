from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications import registry


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        # The sandbox network's comment section is this app's table (see inbox.sandbox).
        from . import sandbox
        from .models import InboxItem
        from .selectors import may_see_item

        sandbox.register()
        # Notifications about inbox items: only to people who may see the item, leading to its page.
        registry.register(InboxItem, may_see_item, url=lambda pk: reverse("inbox:item", args=[pk]))
        registry.register_label("item_kind", lambda value: InboxItem.Kind(value).label)
