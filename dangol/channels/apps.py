from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "dangol.channels"
    label = "channels"
    verbose_name = _("가게 채널")
