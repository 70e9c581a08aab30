from django import template

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
    return f"{int(value):,}원"


@register.filter
def signed_won(value):
    """Money in and out: 5000 → +5,000원, -5000 → -5,000원."""
    if value is None or value == "":
        return ""
    return f"{int(value):+,}원"
