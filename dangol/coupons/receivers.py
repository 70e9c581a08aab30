"""Coupons' answers to other apps' events."""

from django.dispatch import receiver

from dangol.channels.signals import follow_started

from .services import welcome_coupons_issue


@receiver(follow_started, dispatch_uid="coupons.welcome_on_follow")
def welcome_coupon_on_follow(sender, follow, **kwargs):
    welcome_coupons_issue(customer=follow.customer, store=follow.store)
