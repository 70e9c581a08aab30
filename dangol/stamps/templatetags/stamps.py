from django import template
from django.utils import timezone

from ..members import PREFIX
from ..models import ProgramStatus

register = template.Library()


@register.inclusion_tag("stamps/stall_section.html")
def stall_stamps(store):
    program = store.stamp_programs.filter(status=ProgramStatus.ACTIVE).first()
    return {"store": store, "program": program, "member_prefix": PREFIX}


@register.inclusion_tag("stamps/card_list.html")
def stamp_cards_for(user):
    cards = user.stamp_cards.select_related("program__store").order_by("-last_stamp_at")
    return {"cards": cards, "now": timezone.now()}


@register.simple_tag
def stamp_dots(card, now=None):
    """Filled and empty circles for old eyes: ●●●○○."""
    have = card.current_stamps(now)
    return "●" * have + "○" * max(card.program.goal - have, 0)
