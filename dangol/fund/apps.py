from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "dangol.fund"
    label = "fund"
    verbose_name = "상생기금"
