from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangol.accounts"
    label = "accounts"
    verbose_name = "계정"
