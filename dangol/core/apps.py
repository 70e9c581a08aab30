from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangol.core"
    label = "core"
    verbose_name = "Dangol core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 (registers the production-safety check)
        from .middleware import mark_session_renewed

        user_logged_in.connect(mark_session_renewed, dispatch_uid="core.session_renewed_at_sign_in")
