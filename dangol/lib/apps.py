from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "dangol.lib"
    label = "lib"
    verbose_name = "Dangol core"
