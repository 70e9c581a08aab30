from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "dangol.delivery"
    label = "delivery"
    verbose_name = "발송"
