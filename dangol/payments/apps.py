from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "dangol.payments"
    label = "payments"
    verbose_name = _("결제")

    def ready(self):
        from . import checks  # noqa: F401 -- registers the deploy checks
