from django import template
from django.utils import timezone

from ..members import PREFIX
from ..models import TOKEN_FRESH_FOR, TOKEN_LIFETIME, StampProgram

register = template.Library()


@register.inclusion_tag("stamps/stall_section.html")
def stall_stamps(store):
    program = StampProgram.objects.in_use_at(store)
    new_qr_every = int((TOKEN_LIFETIME - TOKEN_FRESH_FOR).total_seconds())
    return {"store": store, "program": program, "member_prefix": PREFIX, "new_qr_every": new_qr_every}


@register.inclusion_tag("stamps/card_list.html")
def stamp_cards_for(user):
    cards = (
        user.stamp_cards.select_related("program__store", "program__reward")
        .prefetch_related("program__milestones__reward")
        .order_by("-last_stamp_at")
    )
    return {"cards": cards, "now": timezone.now()}


@register.simple_tag
def stamp_dots(card, now=None):
    """Filled and empty circles for old eyes: ●●●○○."""
    have = card.current_stamps(now)
    return "●" * have + "○" * max(card.program.goal - have, 0)
