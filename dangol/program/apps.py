from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "dangol.program"
    label = "program"
    verbose_name = "지원 사업"
