from django.apps import AppConfig


class StampsConfig(AppConfig):
    name = "dangol.stamps"
    label = "stamps"
    verbose_name = "스탬프"
