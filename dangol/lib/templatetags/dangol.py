from django import template

from dangol.lib.phones import display_phone

register = template.Library()


@register.filter
def phone(value):
    """+82212345678 → 02-1234-5678."""
    return display_phone(value) if value else ""
