from django.apps import AppConfig


class LibConfig(AppConfig):
    """Helpers every app may use (template filters, refusals, text, Seoul time); no models of its own."""

    name = "dangol.lib"
    label = "lib"
    verbose_name = "Dangol helpers"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .sql import read_times_in_c

        connection_created.connect(read_times_in_c, dispatch_uid="lib.sql.read_times_in_c")
