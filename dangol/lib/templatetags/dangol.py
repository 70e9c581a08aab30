from django import template
from django.utils.translation import gettext as _

from dangol.lib.phones import display_phone

register = template.Library()


@register.filter
def phone(value):
    """+82212345678 → 02-1234-5678."""
    return display_phone(value) if value else ""


@register.filter
def won(value):
    """12345 → 12,345원 (integer won)."""
    if value is None or value == "":
        return ""
    return _("{amount}원").format(amount=f"{int(value):,}")


@register.filter
def signed_won(value):
    """Money in and out: 5000 → +5,000원, -5000 → -5,000원."""
    if value is None or value == "":
        return ""
    return _("{amount}원").format(amount=f"{int(value):+,}")
