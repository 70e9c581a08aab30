from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "dangol.markets"
    label = "markets"
    verbose_name = "시장"
