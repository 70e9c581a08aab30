from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MarketsConfig(AppConfig):
    name = "dangol.markets"
    label = "markets"
    verbose_name = pgettext_lazy("plural", "시장")
