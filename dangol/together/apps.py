from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TogetherConfig(AppConfig):
    name = "dangol.together"
    label = "together"
    verbose_name = _("같이")
