import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.lib.ids import new_public_id
from dangol.lib.refusals import Refused
from dangol.lib.seoul import seoul_midnight, seoul_today, short_moment, to_seoul

from .members import member_for_token

TOKEN_LIFETIME = dt.timedelta(seconds=45)
TOKEN_FRESH_FOR = dt.timedelta(seconds=15)  # a new QR when less than this is left: about every 30 s
SCAN_GRACE = dt.timedelta(minutes=10)  # time to sign in after scanning a QR that was valid
UNUSUAL_PER_DAY = 5
MAX_GOAL = 50
MAX_LIMIT_HOURS = 168
MAX_CARD_DAYS = 730
CLOCK_SKEW = dt.timedelta(minutes=5)  # a stall device's clock this far ahead is still believed


def new_nonce():
    return new_public_id(16)


class StampRefused(Refused):
    """A stamp the rules refuse."""


BAD_QR = gettext_lazy("이 QR은 이미 쓰였거나 시간이 지났습니다. 가게 화면에 새로 뜬 QR을 찍어 주세요.")


class LimitMode(models.TextChoices):
    DAILY = "daily", gettext_lazy("하루에 한 번")
    HOURS = "hours", gettext_lazy("몇 시간에 한 번")


class ExpiryFrom(models.TextChoices):
    FIRST = "first", gettext_lazy("첫 도장을 받은 날부터")
    LAST = "last", gettext_lazy("마지막 도장을 받은 날부터")


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("진행 중")
    ENDED = "ended", gettext_lazy("끝남")


class StampProgramQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProgramStatus.ACTIVE)

    def in_use_at(self, store):
        """The stamp card `store` uses now, or None."""
        return self.active().filter(store=store).select_related("reward", "store").first()


class StampProgram(models.Model):
    """A store's stamp card: how many stamps, the reward, how long a card lasts, how often."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="stamp_programs")
    goal = models.PositiveSmallIntegerField(gettext_lazy("모을 도장 수"))
    reward = models.ForeignKey("coupons.Campaign", on_delete=models.PROTECT, related_name="+")
    expires_after_days = models.PositiveSmallIntegerField(gettext_lazy("카드 유효 기간(일)"), null=True, blank=True)
    expires_from = models.CharField(max_length=5, choices=ExpiryFrom.choices, default=ExpiryFrom.LAST)
    limit_mode = models.CharField(max_length=5, choices=LimitMode.choices, default=LimitMode.DAILY)
    limit_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StampProgramQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("스탬프 카드")
        verbose_name_plural = pgettext_lazy("plural", "스탬프 카드")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gte=1, goal__lte=50), name="stamp_goal_1_to_50"),
            models.CheckConstraint(
                condition=~Q(limit_mode="hours") | Q(limit_hours__gte=1, limit_hours__lte=168),
                name="stamp_limit_hours_1_to_168",
            ),
            models.UniqueConstraint(
                fields=["store"], condition=Q(status="active"), name="one_active_stamp_program_per_store"
            ),
        ]

    def __str__(self):
        return _("{store} 도장 {goal}개").format(store=self.store, goal=self.goal)

    @property
    def limit_text(self):
        if self.limit_mode == LimitMode.HOURS:
            return _("{n}시간에 한 번").format(n=self.limit_hours)
        return _("하루에 한 번")

    def refuse_if_too_soon(self, last, now):
        if last is None:
            return
        if self.limit_mode == LimitMode.DAILY and to_seoul(last).date() == to_seoul(now).date():
            raise StampRefused(_("오늘은 이미 도장을 받았습니다. 내일 또 와 주세요."), status=409)
        if self.limit_mode == LimitMode.HOURS and abs(now - last) < dt.timedelta(hours=self.limit_hours):
            again = last + dt.timedelta(hours=self.limit_hours)
            raise StampRefused(
                _("도장은 {n}시간에 한 번 받을 수 있습니다. {when} 이후에 다시 받아 주세요.").format(
                    n=self.limit_hours, when=short_moment(again)
                ),
                status=409,
            )

    def expiry_for(self, *, started_at, last_at):
        if not self.expires_after_days:
            return None
        base = started_at if self.expires_from == ExpiryFrom.FIRST else last_at
        last_day = to_seoul(base).date() + dt.timedelta(days=self.expires_after_days)
        return seoul_midnight(last_day + dt.timedelta(days=1))

    def card_for(self, customer):
        card, _created = StampCard.objects.get_or_create(program=self, customer=customer)
        return card

    def end(self):
        return (
            StampProgram.objects.filter(pk=self.pk, status=ProgramStatus.ACTIVE).update(status=ProgramStatus.ENDED) == 1
        )

    def give_to_member(self, member_text, *, by=None, api_key=None, now=None, offline=None):
        """The merchant scanned a customer's member QR. `offline`: {client_id, device, synced_at} when a
        stall recorded it without network at `now`; the same client_id gives the same stamp back."""
        customer = member_for_token(member_text, shown_at=now if offline else None)
        if customer is None:
            raise StampRefused(_("손님 QR을 확인할 수 없습니다. 손님 화면의 QR을 새로 띄워 달라고 해 주세요."))
        return self.card_for(customer).add_stamp(
            via=Via.API if api_key else Via.MEMBER, by=by, api_key=api_key, now=now, offline=offline
        )

    def give_offline(self, member_text, *, used_at, client_id, device="", by=None, api_key=None, now=None):
        """A member QR a stall scanned without network, sent when it came back; exactly once per client_id."""
        now = now or timezone.now()
        if not client_id or len(client_id) > 64:
            raise StampRefused(_("기기 기록 번호가 없거나 너무 깁니다."))
        if used_at > now + CLOCK_SKEW:
            raise StampRefused(_("기기의 시계가 맞지 않아 받을 수 없는 기록입니다. 휴대폰 시간을 확인해 주세요."))
        used_at = min(used_at, now)
        days = getattr(settings, "OFFLINE_RECORD_DAYS", 7)
        if used_at < now - dt.timedelta(days=days):
            raise StampRefused(_("{n}일이 넘은 기록이라 받을 수 없습니다.").format(n=days), status=409)
        known = Stamp.objects.filter(store_id=self.store_id, client_id=client_id).first()
        if known is not None:
            return known
        offline = {"client_id": client_id, "device": device, "synced_at": now}
        return self.give_to_member(member_text, by=by, api_key=api_key, now=used_at, offline=offline)


class StampMilestone(models.Model):
    """A reward on the way, e.g. a small coupon at 5 of 10 stamps."""

    program = models.ForeignKey(StampProgram, on_delete=models.CASCADE, related_name="milestones")
    at = models.PositiveSmallIntegerField(gettext_lazy("도장 수"))
    reward = models.ForeignKey("coupons.Campaign", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("중간 보상")
        verbose_name_plural = pgettext_lazy("plural", "중간 보상")
        constraints = [models.UniqueConstraint(fields=["program", "at"], name="one_milestone_per_count")]

    def __str__(self):
        return f"{self.program} @ {self.at}"


class Via(models.TextChoices):
    QR = "qr", gettext_lazy("가게 화면 QR")
    MEMBER = "member", gettext_lazy("손님 QR")
    API = "api", gettext_lazy("계산대 연동(API)")


class StampCard(models.Model):
    """A customer's card at one store. It restarts when the goal is reached or it expires;
    `round` counts the cards, so stamps and rewards name the card they belong to."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    program = models.ForeignKey(StampProgram, on_delete=models.CASCADE, related_name="cards")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stamp_cards")
    stamps = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveIntegerField(default=1)
    completed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    last_stamp_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("손님 스탬프 카드")
        verbose_name_plural = pgettext_lazy("plural", "손님 스탬프 카드")
        constraints = [models.UniqueConstraint(fields=["program", "customer"], name="one_card_per_customer")]

    def __str__(self):
        return f"{self.customer} {self.stamps}/{self.program.goal}"

    def current_stamps(self, now=None):
        """What the customer has on the card now: an expired card shows zero."""
        if self.expires_at and (now or timezone.now()) >= self.expires_at:
            return 0
        return self.stamps

    def add_stamp(self, *, via, by=None, api_key=None, token=None, now=None, offline=None):
        """One stamp, under a row lock on the card: limits hold and a reward is issued exactly once.
        `offline` ({client_id, device, synced_at}) marks a stamp recorded without network; a retry with
        the same client_id returns the stamp it made."""
        now = now or timezone.now()
        offline = offline or {}
        with transaction.atomic():
            card = StampCard.objects.select_for_update(of=("self",)).select_related("program__store").get(pk=self.pk)
            program = card.program
            if offline:
                known = Stamp.objects.filter(store_id=program.store_id, client_id=offline["client_id"]).first()
                if known is not None:
                    return known
            if program.status != ProgramStatus.ACTIVE:
                raise StampRefused(_("이 가게는 지금 스탬프 카드를 쓰지 않습니다."), status=409)
            if card.expires_at and now >= card.expires_at:
                card.round, card.stamps, card.started_at, card.expires_at = card.round + 1, 0, None, None
            program.refuse_if_too_soon(card.last_stamp_at, now)
            card.stamps += 1
            card.started_at = card.started_at or now
            # A stamp synced late may be older than the last one given online.
            card.last_stamp_at = max(card.last_stamp_at or now, now)
            stamp = Stamp.objects.create(
                card=card,
                store_id=program.store_id,
                customer_id=card.customer_id,
                round=card.round,
                number=card.stamps,
                via=via,
                given_by=by,
                api_key=api_key,
                token=token,
                created_at=now,
                **offline,
            )
            for milestone in program.milestones.filter(at=card.stamps).select_related("reward"):
                card._reward(milestone.reward, at=card.stamps, now=now)
            if card.stamps >= program.goal:
                card._reward(program.reward, at=card.stamps, now=now)
                card.completed += 1
                card.round, card.stamps, card.started_at, card.expires_at = card.round + 1, 0, None, None
            else:
                card.expires_at = program.expiry_for(started_at=card.started_at, last_at=now)
            card.save()
            stamp.flag_if_unusual(market_id=program.store.market_id)
        self.refresh_from_db()
        return stamp

    def _reward(self, campaign, *, at, now):
        # The unique (card, round, at) is the database's word that a reward is given once.
        coupon = campaign.issue_reward(customer=self.customer, now=now)
        return StampReward.objects.create(card=self, round=self.round, at=at, coupon=coupon, created_at=now)


class Stamp(models.Model):
    """One stamp given; the (card, round, number) is unique, so none is skipped or doubled."""

    card = models.ForeignKey(StampCard, on_delete=models.CASCADE, related_name="stamp_set")
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="stamps")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveIntegerField()
    number = models.PositiveSmallIntegerField()
    via = models.CharField(max_length=10, choices=Via.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey("coupons.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.OneToOneField("StampToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    flagged = models.BooleanField(gettext_lazy("확인 필요"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # A stamp a stall recorded without network: its device's id for the record, and when it arrived.
    client_id = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("도장")
        verbose_name_plural = pgettext_lazy("plural", "도장")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["card", "round", "number"], name="one_stamp_per_place"),
            models.UniqueConstraint(
                fields=["store", "client_id"], condition=~Q(client_id=""), name="one_stamp_per_client_id"
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"]), models.Index(fields=["store", "created_at"])]

    def __str__(self):
        return f"{self.card} #{self.round}.{self.number}"

    def flag_if_unusual(self, *, market_id):
        """More than five stamps in a Seoul day across the whole market: show it to the merchant."""
        day_start = seoul_midnight(seoul_today(self.created_at))
        today = Stamp.objects.filter(customer_id=self.customer_id, created_at__gte=day_start)
        count = today.filter(store__market_id=market_id).count()
        if count > UNUSUAL_PER_DAY:
            Stamp.objects.filter(pk=self.pk).update(flagged=True)
            self.flagged = True
        return count


class StampReward(models.Model):
    card = models.ForeignKey(StampCard, on_delete=models.CASCADE, related_name="rewards")
    round = models.PositiveIntegerField()
    at = models.PositiveSmallIntegerField()
    coupon = models.OneToOneField("coupons.Coupon", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("스탬프 보상")
        verbose_name_plural = pgettext_lazy("plural", "스탬프 보상")
        constraints = [models.UniqueConstraint(fields=["card", "round", "at"], name="one_reward_per_place")]

    def __str__(self):
        return f"{self.card} #{self.round}@{self.at}"


class StampToken(models.Model):
    """The one-time QR on the stall screen: a plain URL, valid about 30 seconds, used once."""

    nonce = models.CharField(max_length=16, unique=True, default=new_nonce, editable=False)
    program = models.ForeignKey(StampProgram, on_delete=models.CASCADE, related_name="tokens")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("도장 QR")
        verbose_name_plural = pgettext_lazy("plural", "도장 QR")
        indexes = [models.Index(fields=["program", "used_at", "expires_at"])]

    def __str__(self):
        return self.nonce

    @classmethod
    def current(cls, program, *, now=None):
        """The QR the stall should show now: the fresh unused one, or a new one."""
        now = now or timezone.now()
        fresh = (
            cls.objects.filter(program=program, used_at__isnull=True, expires_at__gt=now + TOKEN_FRESH_FOR)
            .order_by("-expires_at")
            .first()
        )
        return fresh or cls.objects.create(program=program, created_at=now, expires_at=now + TOKEN_LIFETIME)

    def was_valid_at(self, scanned_at, now):
        return self.used_at is None and scanned_at < self.expires_at and now - scanned_at <= SCAN_GRACE

    def use(self, *, customer, scanned_at=None, now=None):
        """Stamp the customer's card, once: the conditional update on used_at decides who got it.
        A refused stamp (the daily limit) rolls back, so the QR stays good for the next customer."""
        now = now or timezone.now()
        scanned_at = scanned_at or now
        if not self.was_valid_at(scanned_at, now) or self.program.status != ProgramStatus.ACTIVE:
            raise StampRefused(BAD_QR)
        with transaction.atomic():
            taken = StampToken.objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=now, used_by=customer)
            if taken != 1:
                raise StampRefused(BAD_QR, status=409)
            return self.program.card_for(customer).add_stamp(via=Via.QR, token=self, now=now)


def flagged_stamps(store, *, since):
    return (
        Stamp.objects.filter(store=store, flagged=True, created_at__gte=since)
        .select_related("customer")
        .order_by("-created_at")
    )


def stamps_today_by_customer(customer_ids, *, market_id, now=None):
    day_start = seoul_midnight(seoul_today(now))
    return dict(
        Stamp.objects.filter(customer_id__in=customer_ids, created_at__gte=day_start, store__market_id=market_id)
        .values_list("customer_id")
        .annotate(n=models.Count("id"))
    )
