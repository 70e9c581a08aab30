from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "dangol.channels"
    label = "channels"
    verbose_name = "가게 채널"
