from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "dangol.ledger"
    label = "ledger"
    verbose_name = "공개 장부"
