from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EtiquetteConfig(AppConfig):
    name = "etiquette"
    verbose_name = _("Etiquette")
