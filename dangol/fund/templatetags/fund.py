from django import template

from dangol.fund.reports import korean_won as _korean_won

register = template.Library()


@register.filter
def korean_won(value):
    """300000000000 → 3,000억 원."""
    return "" if value is None or value == "" else _korean_won(value)


@register.filter
def number(value):
    """1234567 → 1,234,567."""
    return "" if value is None or value == "" else f"{int(value):,}"
