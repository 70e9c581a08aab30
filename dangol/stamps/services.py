from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangol.coupons.models import Campaign, Method, SigningKey

from .models import MAX_CARD_DAYS, MAX_GOAL, MAX_LIMIT_HOURS, ExpiryFrom, LimitMode, StampMilestone, StampProgram

# Where a reward coupon's rule lands on the stamp card's form: ("reward" or "mid", coupon field) → form field.
_REWARD_FIELDS = {"kind": "kind", "amount_off": "amount", "percent_off": "percent", "gift": "gift"}


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
    """Set up a store's stamp card with its reward coupons; one active card per store.

    Every limit is checked here, for whichever door called; ValidationError names the fields
    (as the stamp card form calls them) and nothing is written."""
    errors = {}

    def refuse(field, message):
        if message not in errors.setdefault(field, []):
            errors[field].append(message)

    if goal is None or not 1 <= goal <= MAX_GOAL:
        refuse("goal", _("도장 수는 1개에서 {n}개 사이로 정해 주세요.").format(n=MAX_GOAL))
    if milestone is not None and (milestone_at is None or not (1 <= milestone_at < (goal or 0))):
        refuse("mid_at", _("중간 보상은 1개부터 모을 도장 수보다 적게 정해 주세요."))
    if expires_after_days is not None and not 1 <= expires_after_days <= MAX_CARD_DAYS:
        refuse("expires_after_days", _("유효 기간은 1일에서 {n}일 사이로 적어 주세요.").format(n=MAX_CARD_DAYS))
    if expires_from not in ExpiryFrom.values:
        refuse("expires_from", _("유효 기간을 세는 날을 골라 주세요."))
    if limit_mode not in LimitMode.values:
        refuse("limit_mode", _("도장을 얼마나 자주 줄지 골라 주세요."))
    if limit_mode == LimitMode.HOURS:
        if limit_hours is None or not 1 <= limit_hours <= MAX_LIMIT_HOURS:
            refuse("limit_hours", _("1시간에서 {n}시간 사이로 적어 주세요.").format(n=MAX_LIMIT_HOURS))
    else:
        limit_hours = None

    def reward_campaign(prefix, benefit):
        campaign = Campaign(store=store, created_by=by, method=Method.REWARD, valid_days=reward_days, **benefit)
        try:
            campaign.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = "reward_days" if field == "valid_days" else f"{prefix}_{_REWARD_FIELDS.get(field, 'kind')}"
                for message in messages:
                    refuse(name, message)
        return campaign

    rewards = [reward_campaign("reward", reward)]
    if milestone is not None:
        rewards.append(reward_campaign("mid", milestone))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            for campaign in rewards:
                campaign.save()
            program = StampProgram.objects.create(
                store=store,
                goal=goal,
                reward=rewards[0],
                expires_after_days=expires_after_days,
                expires_from=expires_from,
                limit_mode=limit_mode,
                limit_hours=limit_hours,
            )
            if milestone is not None:
                StampMilestone.objects.create(program=program, at=milestone_at, reward=rewards[1])
            SigningKey.objects.active_for(store.pk)
    except IntegrityError:
        raise ValidationError({"goal": _("이미 쓰고 있는 스탬프 카드가 있습니다. 먼저 끝내 주세요.")}) from None
    return program
