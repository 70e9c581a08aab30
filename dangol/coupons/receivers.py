"""Coupons' answers to other apps' events."""

from django.dispatch import receiver

from dangol.channels.signals import follow_started

from .services import welcome_coupons_issue


@receiver(follow_started, dispatch_uid="coupons.welcome_on_follow")
def welcome_coupon_on_follow(sender, follow, **kwargs):
    """Issue the store's welcome coupons; their names go back to the follow page, which announces them."""
    return [coupon.campaign.name for coupon in welcome_coupons_issue(customer=follow.customer, store=follow.store)]
