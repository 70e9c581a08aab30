from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangol.messaging.models import MessageKind
from dangol.messaging.services import message_send

from .models import Campaign, CouponRefused, Method


def welcome_coupons_issue(*, customer, store):
    """Welcome coupons for a new regular; at most the limit per account, even after re-following."""
    issued = []
    for campaign in Campaign.objects.open().filter(store=store, method=Method.WELCOME):
        try:
            issued.append(campaign.give_on_follow(customer=customer))
        except CouponRefused:
            continue  # sold out, or this account had it before: following still succeeds
    return issued


def campaign_message_send(*, campaign, author, body):
    """Send a message with the coupon attached; it is advertising, so it goes with the legal labels
    to followers who accepted ads. Nothing is written if the message cannot be sent."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("store__market").get(pk=campaign.pk)
        if campaign.method != Method.MESSAGE:
            raise ValidationError({"body": _("메시지에 붙여 보내는 쿠폰이 아닙니다.")})
        if campaign.message_id is not None:
            raise ValidationError({"body": _("이미 메시지로 보낸 쿠폰입니다.")})
        try:
            campaign.refuse_unless_open()
        except CouponRefused as refusal:
            raise ValidationError({"body": refusal.message}) from None
        message = message_send(store=campaign.store, author=author, kind=MessageKind.AD, body=body)
        Campaign.objects.filter(pk=campaign.pk).update(message=message)
    return message
