from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "dangol.ledger"
    label = "ledger"
    verbose_name = _("공개 장부")
