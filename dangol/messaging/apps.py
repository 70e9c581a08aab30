from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "dangol.messaging"
    label = "messaging"
    verbose_name = "메시지"
