"""Which stamp card a door acts on: one answer for the pages and the API."""

from django.utils.translation import gettext as _

from .models import StampProgram, StampRefused


def program_in_use(store):
    """The stamp card `store` uses now; StampRefused (404) when it has none."""
    program = StampProgram.objects.in_use_at(store)
    if program is None:
        raise StampRefused(_("이 가게는 스탬프 카드를 쓰지 않습니다."), status=404)
    return program
