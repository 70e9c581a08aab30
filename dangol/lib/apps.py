from django.apps import AppConfig


class LibConfig(AppConfig):
    """Helpers every app may use (template filters, refusals, text, Seoul time); no models of its own."""

    name = "dangol.lib"
    label = "lib"
    verbose_name = "Dangol helpers"
