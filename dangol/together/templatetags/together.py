from django import template

from dangol.together.models.boxes import Memo

register = template.Library()


@register.filter
def memo(text):
    """A ledger memo Together wrote, in the reader's language."""
    return Memo.shown(text)
