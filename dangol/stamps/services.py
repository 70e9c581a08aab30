from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangol.coupons.models import Campaign, Method, SigningKey

from .models import StampMilestone, StampProgram


def stamp_program_start(
    *,
    store,
    by,
    goal,
    reward,
    reward_days,
    milestone=None,
    expires_after_days=None,
    expires_from,
    limit_mode,
    limit_hours=None,
    milestone_at=None,
):
    """Set up a store's stamp card with its reward coupons; one active card per store."""

    def reward_campaign(benefit):
        return Campaign.objects.create(
            store=store, method=Method.REWARD, valid_days=reward_days, created_by=by, **benefit
        )

    try:
        with transaction.atomic():
            program = StampProgram.objects.create(
                store=store,
                goal=goal,
                reward=reward_campaign(reward),
                expires_after_days=expires_after_days,
                expires_from=expires_from,
                limit_mode=limit_mode,
                limit_hours=limit_hours,
            )
            if milestone is not None:
                StampMilestone.objects.create(program=program, at=milestone_at, reward=reward_campaign(milestone))
            SigningKey.objects.active_for(store.pk)
    except IntegrityError:
        raise ValidationError({"goal": _("이미 쓰고 있는 스탬프 카드가 있습니다. 먼저 끝내 주세요.")}) from None
    return program
