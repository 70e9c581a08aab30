from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "dangol.payments"
    label = "payments"
    verbose_name = "결제"

    def ready(self):
        from . import checks  # noqa: F401 -- registers the deploy checks
