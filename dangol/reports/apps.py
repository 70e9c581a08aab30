from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dangol.reports"
    label = "reports"
    verbose_name = "신고"
