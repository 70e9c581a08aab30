from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "dangol.printing"
    label = "printing"
    verbose_name = "인쇄물"
