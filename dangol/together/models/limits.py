"""How much of a person's limits (proposals, photos, agreements, comments) is used, exact under any concurrency."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.models import Allowance as BaseAllowance
from dangol.lib.seoul import seoul_midnight, seoul_today

from .base import Refused, phone_key

PROPOSALS_PER_DAY = 3
PHOTOS_PER_DAY = 20  # proposal pictures and receipts together


def proposals_per_day():
    return getattr(settings, "TOGETHER_PROPOSALS_PER_DAY", PROPOSALS_PER_DAY)


def photos_per_day():
    return getattr(settings, "TOGETHER_PHOTOS_PER_DAY", PHOTOS_PER_DAY)


class Allowance(BaseAllowance):
    """A person's (phone key's) use of a limit in a Seoul day or a clock hour (see lib's Allowance)."""

    PROPOSAL = "proposal"
    PHOTO = "photo"
    AGREEMENT = "agreement"
    COMMENT = "comment"

    class Meta:
        verbose_name = _("사용 한도")
        verbose_name_plural = pgettext_lazy("plural", "사용 한도")
        constraints = [models.UniqueConstraint(fields=["what", "key", "window_start"], name="together_one_allowance")]
        indexes = [models.Index(fields=["window_start"])]

    @classmethod
    def take(cls, *, what, user, limit, now, count=1, hourly=False):
        """Use `count` of `limit` for `user` in this Seoul day (or clock hour, `hourly`);
        False, and nothing used, when that would pass it."""
        start = now.replace(minute=0, second=0, microsecond=0) if hourly else seoul_midnight(seoul_today(now))
        return cls.take_in_window(what=what, key=phone_key(user.phone), window_start=start, limit=limit, count=count)


def take_proposal(user, *, now):
    limit = proposals_per_day()
    if not Allowance.take(what=Allowance.PROPOSAL, user=user, limit=limit, now=now):
        raise Refused(
            gettext("제안은 하루에 {n}건까지 올릴 수 있습니다. 내일 다시 올려 주세요.").format(n=limit), status=429
        )


def take_photos(user, count, *, now, field):
    if not count:
        return
    limit = photos_per_day()
    if not Allowance.take(what=Allowance.PHOTO, user=user, limit=limit, count=count, now=now):
        raise Refused(
            gettext("사진은 하루에 {n}장까지 올릴 수 있습니다. 내일 다시 올려 주세요.").format(n=limit),
            status=429,
            field=field,
        )


def take_agreement(user, *, limit, now):
    if not Allowance.take(what=Allowance.AGREEMENT, user=user, limit=limit, now=now, hourly=True):
        raise Refused(gettext("동의를 너무 많이 했습니다. 한 시간 뒤에 다시 해 주세요."), status=429)


def take_comment(user, *, limit, now):
    if not Allowance.take(what=Allowance.COMMENT, user=user, limit=limit, now=now, hourly=True):
        raise Refused(gettext("댓글을 너무 자주 남겼습니다. 잠시 뒤에 다시 써 주세요."), status=429)
