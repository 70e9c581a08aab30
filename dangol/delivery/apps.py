from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "dangol.delivery"
    label = "delivery"
    verbose_name = _("발송")

    def ready(self):
        from dangol.messaging.signals import message_delivered

        from .services import deliveries_write

        message_delivered.connect(deliveries_write, dispatch_uid="delivery.deliveries_write")
