from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class StampsConfig(AppConfig):
    name = "dangol.stamps"
    label = "stamps"
    verbose_name = gettext_lazy("스탬프")
