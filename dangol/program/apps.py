from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramConfig(AppConfig):
    name = "dangol.program"
    label = "program"
    verbose_name = _("지원 사업")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .receivers import remember_program_role

        user_logged_in.connect(remember_program_role, dispatch_uid="program.remember_program_role")
