from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "dangol.coupons"
    label = "coupons"
    verbose_name = "쿠폰"
