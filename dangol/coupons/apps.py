from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CouponsConfig(AppConfig):
    name = "dangol.coupons"
    label = "coupons"
    verbose_name = pgettext_lazy("plural", "쿠폰")

    def ready(self):
        from . import receivers  # noqa: F401 (connects the welcome coupon to a new follow)
