from django.apps import AppConfig


class TogetherConfig(AppConfig):
    name = "dangol.together"
    label = "together"
    verbose_name = "같이"
