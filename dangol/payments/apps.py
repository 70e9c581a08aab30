from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "dangol.payments"
    label = "payments"
    verbose_name = "결제"
