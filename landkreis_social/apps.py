from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandkreisSocialConfig(AppConfig):
    name = "landkreis_social"
    verbose_name = _("Operations")

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the deploy checks
            theme,  # noqa: F401 - registers the primary colour's system check
        )
