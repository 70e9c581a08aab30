import segno
from django import template
from django.utils.translation import gettext as _

from ..models import Campaign

register = template.Library()


@register.inclusion_tag("coupons/attach.html")
def coupon_attach(store):
    """On the message screen: attach a coupon waiting to go with a message, or make one."""
    return {"store": store, "campaigns": Campaign.objects.attachable(store)}


@register.filter
def qr_data_uri(text, scale=6):
    """An SVG QR code as a data: URI for an <img>, so nothing needs to be marked safe."""
    return segno.make(text, error="m").svg_data_uri(scale=int(scale), border=2) if text else ""


@register.filter
def won(amount):
    return _("{amount}원").format(amount=f"{amount:,}") if amount is not None else ""


@register.filter
def can_undo(redemption, now):
    return redemption.can_undo(now)
