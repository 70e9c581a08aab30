from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "dangol.coupons"
    label = "coupons"
    verbose_name = "쿠폰"

    def ready(self):
        from . import receivers  # noqa: F401 (connects the welcome coupon to a new follow)
