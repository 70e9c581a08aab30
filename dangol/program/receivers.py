"""At sign-in, remember whether this person takes part in a program (operator, tutor, market association),
so every page can show the "지원 사업" link without asking the database again."""

from dangol.markets.models import Market

from .models import Cohort


def remember_program_role(sender, request, user, **kwargs):
    request.session["program_link"] = bool(
        user.is_staff or Cohort.objects.visible_to(user).exists() or Market.objects.administered_by(user).exists()
    )
