import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.channels.models import Follow
from dangol.lib.ids import new_public_id
from dangol.lib.seoul import seoul_midnight, seoul_today, short_moment, to_seoul
from dangol.lib.sql import (
    MARKER_ID,
    MARKER_TEXT,
    MARKER_TEXT_2,
    MARKER_TEXT_3,
    MARKER_TEXT_4,
    MARKER_TIME,
    FixedQuery,
    FixedUpdate,
    Refused,
    insert_row_after,
)
from dangol.lib.text import optional_text, visible
from dangol.messaging.models import InboxItem

from .. import tokens
from ..codes import display_code, new_code, normalize_code
from .access import ApiKey, StorePin, key_prefix
from .common import (
    CLOCK_SKEW,
    MAX_CLIENT_ID,
    MAX_PAPER,
    MAX_PER_CUSTOMER,
    MAX_PRESENTED,
    MAX_QUANTITY,
    MAX_TITLE,
    MAX_VALID_AHEAD,
    MAX_VALID_DAYS,
    MAX_WON,
    UNDO_WINDOW,
    CouponRefused,
    minutes,
)
from .limits import Allowance, address_key, claims_per_address_per_hour


def offline_record_age():
    """How old a use recorded offline may be when it reaches the server."""
    return dt.timedelta(days=getattr(settings, "OFFLINE_RECORD_DAYS", 7))


def _within(number, low, high):
    return number is not None and low <= number <= high


class CouponKind(models.TextChoices):
    AMOUNT = "amount", gettext_lazy("금액 할인")
    PERCENT = "percent", gettext_lazy("퍼센트 할인")
    GIFT = "gift", gettext_lazy("사은품")


class Method(models.TextChoices):
    FIRST_COME = "first_come", gettext_lazy("선착순 받기 (가게 페이지)")
    MESSAGE = "message", gettext_lazy("메시지에 붙여 보내기")
    FOLLOWERS = "followers", gettext_lazy("단골 모두에게 주기")
    LOTTERY = "lottery", gettext_lazy("추첨 (당첨된 분만)")
    WELCOME = "welcome", gettext_lazy("단골이 되면 주기 (환영 쿠폰)")
    PAPER = "paper", gettext_lazy("종이 쿠폰 인쇄")
    REWARD = "reward", gettext_lazy("스탬프 보상")


CLAIMABLE = (Method.FIRST_COME, Method.MESSAGE, Method.LOTTERY)


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("진행 중")
    ENDED = "ended", gettext_lazy("끝남")


class CampaignQuerySet(models.QuerySet):
    def open(self, *, now=None):
        today = seoul_today(now)
        return self.filter(status=CampaignStatus.ACTIVE).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))

    def on_store_page(self, store, *, now=None):
        """First-come and lottery coupons a visitor can still try for."""
        return (
            self.open(now=now)
            .filter(store=store, method__in=[Method.FIRST_COME, Method.LOTTERY])
            .filter(Q(quantity__isnull=True) | Q(issued_count__lt=F("quantity")))
            .order_by("-created_at")
        )

    def attachable(self, store, *, now=None):
        """The store's coupons waiting to go out with a message (each goes with one message)."""
        return (
            self.open(now=now).filter(store=store, method=Method.MESSAGE, message__isnull=True).order_by("-created_at")
        )

    def listed(self):
        """The campaigns a merchant manages by hand: stamp-card rewards live with their card."""
        return self.exclude(method=Method.REWARD)

    def with_redeemed(self):
        """Each campaign with `redeemed`: how many of its coupons are used now (an undo puts one back)."""
        return self.annotate(redeemed=Count("coupons", filter=Q(coupons__status=CouponStatus.REDEEMED)))


class Campaign(models.Model):
    """A coupon a store offers, and how it is handed out. Issued coupons are `Coupon` rows."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="coupon_campaigns")
    title = models.CharField(gettext_lazy("쿠폰 이름"), max_length=60, blank=True)
    kind = models.CharField(
        gettext_lazy("혜택 종류"), max_length=10, choices=CouponKind.choices, default=CouponKind.AMOUNT
    )
    amount_off = models.PositiveIntegerField(gettext_lazy("할인 금액(원)"), null=True, blank=True)
    percent_off = models.PositiveSmallIntegerField(gettext_lazy("할인율(%)"), null=True, blank=True)
    gift = models.CharField(gettext_lazy("사은품"), max_length=60, blank=True)
    min_purchase = models.PositiveIntegerField(gettext_lazy("최소 구매 금액(원)"), default=0)
    valid_from = models.DateField(gettext_lazy("사용 시작일"), null=True, blank=True)
    valid_until = models.DateField(gettext_lazy("사용 마감일"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(gettext_lazy("받은 날부터 며칠"), null=True, blank=True)
    quantity = models.PositiveIntegerField(gettext_lazy("총 수량"), null=True, blank=True)
    per_customer_limit = models.PositiveSmallIntegerField(gettext_lazy("한 사람당"), default=1)
    method = models.CharField(
        gettext_lazy("나눠 주는 방법"), max_length=12, choices=Method.choices, default=Method.FIRST_COME
    )
    win_rate = models.PositiveSmallIntegerField(gettext_lazy("당첨 확률(%)"), null=True, blank=True)
    message = models.OneToOneField(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="coupon_campaign"
    )
    issued_count = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("쿠폰")
        verbose_name_plural = pgettext_lazy("plural", "쿠폰")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True) | Q(percent_off__gte=1, percent_off__lte=90),
                name="coupon_percent_1_to_90",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=1), name="coupon_quantity_positive"
            ),
            # The last line of defence against overselling: the counter can never pass the quantity.
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(issued_count__lte=F("quantity")),
                name="coupon_issued_within_quantity",
            ),
            models.CheckConstraint(condition=Q(per_customer_limit__gte=1), name="coupon_limit_positive"),
            models.CheckConstraint(
                condition=Q(win_rate__isnull=True) | Q(win_rate__gte=1, win_rate__lte=99),
                name="coupon_win_rate_1_to_99",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=False) | Q(valid_days__gte=1), name="coupon_has_validity"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coupons:campaign", args=[self.store.public_id, self.public_id])

    @property
    def name(self):
        return self.title or self.benefit

    @property
    def benefit(self):
        if self.kind == CouponKind.AMOUNT:
            return _("{amount}원 할인").format(amount=f"{self.amount_off or 0:,}")
        if self.kind == CouponKind.PERCENT:
            return _("{percent}% 할인").format(percent=self.percent_off)
        return _("사은품: {gift}").format(gift=self.gift)

    @property
    def conditions(self):
        """What the customer must know besides the benefit, in one line."""
        parts = []
        if self.min_purchase:
            parts.append(_("{amount}원 이상 구매 시").format(amount=f"{self.min_purchase:,}"))
        if self.valid_days:
            parts.append(_("받은 날부터 {days}일 동안").format(days=self.valid_days))
        else:
            # Translators: a date format for Django's date filter (Y year, n month, j day).
            parts.append(_("{day}까지").format(day=date_format(self.valid_until, _("Y년 n월 j일"))))
        return " · ".join(parts)

    @property
    def remaining(self):
        return None if self.quantity is None else max(self.quantity - self.issued_count, 0)

    def discount_for(self, amount):
        """Won taken off a purchase of `amount` (None when it cannot be known)."""
        if self.kind == CouponKind.AMOUNT:
            return min(self.amount_off, amount) if amount is not None else self.amount_off
        if self.kind == CouponKind.PERCENT and amount is not None:
            return amount * self.percent_off // 100
        return None

    def validity_for(self, issued_at):
        """(starts_at, expires_at) of a coupon issued at `issued_at`; expires_at is exclusive."""
        if self.valid_days:
            last_day = to_seoul(issued_at).date() + dt.timedelta(days=self.valid_days)
            return issued_at, seoul_midnight(last_day + dt.timedelta(days=1))
        starts_at = seoul_midnight(self.valid_from) if self.valid_from else issued_at
        return starts_at, seoul_midnight(self.valid_until + dt.timedelta(days=1))

    # Making one --------------------------------------------------------------------------------

    @classmethod
    def create_for(cls, *, store, by, **terms):
        """A new campaign for `store`, from the page or the API; every rule about its terms is in `clean`.
        A paper campaign prints its whole sheet of codes at once."""
        if terms.get("method") == Method.REWARD:
            raise ValidationError({"method": _("스탬프 보상 쿠폰은 스탬프 카드 화면에서 만듭니다.")})
        campaign = cls(store=store, created_by=by, **terms)
        campaign.clean()
        with transaction.atomic():
            campaign.save()
            SigningKey.objects.active_for(store.pk)
            if campaign.method == Method.PAPER:
                campaign.print_paper()
        return campaign

    def clean(self):
        """The terms a coupon must have, whichever door it came in by; normalizes what the kind
        and the method make irrelevant. Raises ValidationError naming each field at fault."""
        errors = {}

        def refuse(field, message):
            errors.setdefault(field, []).append(message)

        def text(field, value, *, required_message=None, label):
            if required_message and not visible(value or ""):
                refuse(field, required_message)
                return ""
            try:
                return optional_text(value, field=field, max_length=MAX_TITLE, label=label)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.message_dict[field])
                return value

        self.title = text("title", self.title, label=_("쿠폰 이름"))
        self._clean_benefit(refuse, text)
        self._clean_validity(refuse)
        self._clean_hand_out(refuse)
        if errors:
            raise ValidationError(errors)

    def _clean_benefit(self, refuse, text):
        if self.kind not in CouponKind.values:
            refuse("kind", _("혜택 종류를 골라 주세요."))
        if self.kind == CouponKind.AMOUNT and not _within(self.amount_off, 1, MAX_WON):
            refuse("amount_off", _("할인 금액을 원 단위로 적어 주세요. (1원 이상)"))
        if self.kind == CouponKind.PERCENT and not _within(self.percent_off, 1, 90):
            refuse("percent_off", _("할인율은 1%에서 90% 사이로 정해 주세요."))
        if self.kind == CouponKind.GIFT:
            required = _("어떤 사은품을 주는지 적어 주세요. 예: 대파 한 단")
            self.gift = text("gift", self.gift, required_message=required, label=_("사은품"))
        if self.kind != CouponKind.AMOUNT:
            self.amount_off = None
        if self.kind != CouponKind.PERCENT:
            self.percent_off = None
        if self.kind != CouponKind.GIFT:
            self.gift = ""
        if self.min_purchase is None:
            self.min_purchase = 0
        if not _within(self.min_purchase, 0, MAX_WON):
            refuse("min_purchase", _("최소 구매 금액은 0원에서 1억 원 사이로 적어 주세요."))

    def _clean_validity(self, refuse):
        dates = self.valid_from or self.valid_until
        if self.valid_days is not None and dates:
            refuse("valid_days", _("받은 날부터 며칠 동안과 날짜 중 하나로만 정해 주세요."))
            return
        if not dates:
            if not _within(self.valid_days, 1, MAX_VALID_DAYS):
                message = _("며칠 동안 쓸 수 있는지 1일에서 {n}일 사이로 적어 주세요.").format(n=MAX_VALID_DAYS)
                refuse("valid_days", message)
            return
        if self.valid_until is None:
            refuse("valid_until", _("마지막으로 쓸 수 있는 날을 골라 주세요."))
            return
        today = seoul_today()
        if self._state.adding and self.valid_until < today:
            refuse("valid_until", _("마감일이 이미 지났습니다. 오늘이나 그 뒤의 날을 골라 주세요."))
        elif self.valid_from and self.valid_from > self.valid_until:
            refuse("valid_from", _("시작일은 마감일보다 앞이어야 합니다."))
        elif self._state.adding and self.valid_until > today + MAX_VALID_AHEAD:
            refuse("valid_until", _("마감일은 2년 안으로 정해 주세요."))

    def _clean_hand_out(self, refuse):
        if self.method not in Method.values:
            refuse("method", _("나눠 주는 방법을 골라 주세요."))
        if self.quantity is not None and not _within(self.quantity, 1, MAX_QUANTITY):
            refuse(
                "quantity",
                _("수량은 1장에서 {n:,}장 사이로 정해 주세요. 제한이 없으면 비워 두세요.").format(n=MAX_QUANTITY)
                if self.quantity > 0
                else _("수량은 1장 이상이어야 합니다. 제한이 없으면 비워 두세요."),
            )
        if self.per_customer_limit is None:
            self.per_customer_limit = 1
        if not _within(self.per_customer_limit, 1, MAX_PER_CUSTOMER):
            refuse(
                "per_customer_limit",
                _("한 사람당 1장에서 {n}장 사이로 정해 주세요.").format(n=MAX_PER_CUSTOMER),
            )
        if self.method == Method.LOTTERY:
            if not _within(self.win_rate, 1, 99):
                refuse("win_rate", _("당첨 확률은 1%에서 99% 사이로 정해 주세요."))
            self.per_customer_limit = 1  # one draw per person
        else:
            self.win_rate = None
        if self.method == Method.PAPER:
            self.per_customer_limit = 1
            if not _within(self.quantity, 1, MAX_PAPER):
                refuse(
                    "quantity",
                    _("인쇄할 종이 쿠폰 장수를 1장에서 {n}장 사이로 적어 주세요.").format(n=MAX_PAPER),
                )

    # Handing out -------------------------------------------------------------------------------

    def refuse_unless_open(self, now=None):
        """CouponRefused (409) once the campaign has ended or its last day has passed."""
        if self.status != CampaignStatus.ACTIVE:
            raise CouponRefused(_("나눠 주기가 끝난 쿠폰입니다."), status=409)
        if self.valid_until and seoul_today(now) > self.valid_until:
            raise CouponRefused(_("기간이 끝난 쿠폰입니다."), status=409)

    def _sold_out(self):
        if self.quantity is None:
            return False
        issued = Campaign.objects.filter(pk=self.pk).values_list("issued_count", flat=True).first()
        return issued is None or issued >= self.quantity

    def unsaved_coupon(self, *, customer, now, slot, code, signing_key=None):
        """This campaign's coupon for `customer`, issued `now` and signed by the store's key, not yet saved."""
        starts_at, expires_at = self.validity_for(now)
        return Coupon(
            code=code,
            campaign=self,
            store_id=self.store_id,
            customer=customer,
            slot=slot,
            signing_key=signing_key or SigningKey.objects.active_for(self.store_id),
            issued_at=now,
            starts_at=starts_at,
            expires_at=expires_at,
        )

    def _issue(self, *, customer, now, slot, code, address=None):
        """Take one from the quantity and insert the coupon, both or neither (lib.sql.insert_row_after).

        On PostgreSQL that is one statement, which holds the campaign row only until it commits: sold out,
        the counter update matches no row and nothing is inserted; a second coupon for the same slot
        breaks the unique (campaign, customer, slot) and the counter goes back with it. The store's key
        is the one this process knows (SigningKey.current_for), and the statement checks it is still the
        active one: if it was retired meanwhile, the claim reads the new key and tries once more.
        With `address`, the same statement first takes the address's share of the hour (429 when it is
        used up); a claim that then finds no coupon gives it back.
        """
        allowance = self._address_allowance(address, now)
        gate = Allowance.taking(**allowance, limit=claims_per_address_per_hour()) if allowance else None
        if allowance and gate is None:
            raise self._address_refusal()
        key = SigningKey.current_for(self.store_id)
        coupon = self.unsaved_coupon(customer=customer, now=now, slot=slot, code=code, signing_key=key)
        try:
            while not insert_row_after(_TAKE_ONE, (self.pk, key.kid), coupon, gate=gate):
                if allowance:
                    Allowance.give_back(**allowance)
                key = SigningKey.current_for(self.store_id, reread=True)
                if key.kid == coupon.signing_key.kid:
                    raise CouponRefused(_("아쉽지만 쿠폰이 모두 나갔습니다."), status=409)
                coupon.signing_key = key
        except Refused:
            raise self._address_refusal() from None
        if Campaign.store.is_cached(self):
            coupon.store = self.store
        return coupon

    def claim(self, *, customer, address=None, now=None):
        """A customer takes this coupon: first come, from a message, or a lottery draw.

        Returns the coupon, or None when a lottery draw lost. A coupon attached to a message
        is only for the customers the message reached. `address`, the client's, caps the
        store-page claims (first come, lottery) one address makes in an hour.
        """
        now = now or timezone.now()
        if self.method not in CLAIMABLE:
            raise CouponRefused(_("이 쿠폰은 직접 받을 수 없습니다."))
        if self.method == Method.MESSAGE and not self.reached(customer, now=now):
            raise CouponRefused(_("이 쿠폰은 쿠폰이 붙은 메시지를 받은 분만 받을 수 있습니다."), status=403)
        return self._hand_out(customer=customer, now=now, address=address)

    def reached(self, customer, *, now=None):
        """Whether the message this coupon is attached to is in `customer`'s inbox by `now`."""
        if self.message_id is None:
            return False
        inbox = InboxItem.objects.visible(now=now).filter(message_id=self.message_id, customer=customer)
        return inbox.exists()

    def give_on_follow(self, *, customer, now=None):
        if self.method != Method.WELCOME:
            raise CouponRefused(_("환영 쿠폰이 아닙니다."))
        return self._hand_out(customer=customer, now=now or timezone.now())

    def _hand_out(self, *, customer, now, address=None):
        """Exactly once under any concurrency: the quantity by the conditional counter update,
        the per-customer limit by the unique (campaign, customer, slot), one draw by a unique
        LotteryDraw. A refusal writes nothing (the address's share of the hour is given back)."""
        self.refuse_unless_open(now)
        already = (
            _("이미 응모한 추첨입니다.")
            if self.method == Method.LOTTERY
            else _("이미 받은 쿠폰입니다. 쿠폰함을 보세요.")
        )
        # The counter only grows, so the value read with the campaign can only say "sold out" too late,
        # never too early: it spares a sold-out claim its transaction, and the counter update judges the rest.
        if self.method != Method.LOTTERY and self.quantity is not None and self.issued_count >= self.quantity:
            raise CouponRefused(_("아쉽지만 쿠폰이 모두 나갔습니다."), status=409)
        # One coupon per customer (the usual case) goes straight for slot 1: the unique slot refuses a
        # second one, and the retry counts. Each lost race means another claim by this customer took a
        # slot, so this ends.
        if self.method == Method.LOTTERY:
            return self._enter_draw(customer=customer, now=now, address=address, already=already)
        # The address's share of the hour is taken by the claim's own statement (the gate of lib.sql's
        # insert_row_after), with the coupon and its count: no transaction around them, and a claim that
        # breaks a unique rule takes nothing from the address.
        counted = self.per_customer_limit > 1
        for _attempt in range(self.per_customer_limit + 3):
            held = Coupon.objects.filter(campaign=self, customer=customer).count() if counted else 0
            if held >= self.per_customer_limit:
                raise CouponRefused(already, status=409)
            try:
                return self._issue(customer=customer, now=now, slot=held + 1, code=new_code(), address=address)
            except IntegrityError:
                # The same customer's other claim took this slot a moment ago (count again),
                # or two coupons drew the same code (draw another).
                counted = True
        raise CouponRefused(_("잠시 뒤에 다시 눌러 주세요."), status=503)

    def _enter_draw(self, *, customer, now, address, already):
        for _attempt in range(self.per_customer_limit + 3):
            code = new_code()
            try:
                with transaction.atomic():
                    self._take_address_allowance(address, now)
                    return self._draw(customer=customer, now=now, code=code)
            except IntegrityError:
                if not Coupon.objects.filter(code=code).exists():
                    raise CouponRefused(already, status=409) from None
                # Two coupons drew the same code: draw another.
        raise CouponRefused(_("잠시 뒤에 다시 눌러 주세요."), status=503)

    def _take_address_allowance(self, address, now):
        """One of the hour's store-page claims for `address`."""
        allowance = self._address_allowance(address, now)
        if allowance and not Allowance.take(**allowance, limit=claims_per_address_per_hour()):
            raise self._address_refusal()

    def _address_allowance(self, address, now):
        """Which allowance a store-page claim from `address` counts against this hour (None: no limit applies)."""
        if not address or self.method not in (Method.FIRST_COME, Method.LOTTERY):
            return None
        return {"what": Allowance.CLAIM, "key": address_key(address), "window_start": _hour(now)}

    def _address_refusal(self):
        return CouponRefused(
            _(
                "이 인터넷 연결에서 한 시간에 받을 수 있는 쿠폰 {n}장을 모두 받았습니다. 잠시 뒤에 다시 해 주세요."
            ).format(n=claims_per_address_per_hour()),
            status=429,
        )

    def _draw(self, *, customer, now, code):
        if self._sold_out():
            raise CouponRefused(_("당첨자가 모두 나와 추첨이 끝났습니다."), status=409)
        draw = LotteryDraw.objects.create(campaign=self, customer=customer, created_at=now)
        if secrets.randbelow(100) >= self.win_rate:
            return None
        try:
            with transaction.atomic():
                coupon = self._issue(customer=customer, now=now, slot=1, code=code)
        except CouponRefused:
            return None  # the last prize went to someone else a moment ago
        LotteryDraw.objects.filter(pk=draw.pk).update(coupon=coupon)
        return coupon

    def issue_reward(self, *, customer, now=None):
        """A stamp-card reward: no quantity, no per-customer limit (the card counts)."""
        now = now or timezone.now()
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    return self._issue(customer=customer, now=now, slot=None, code=new_code())
            except IntegrityError:
                continue
        raise CouponRefused(_("잠시 뒤에 다시 해 주세요."), status=503)

    def _bulk_issue(self, *, customers, count, now):
        """Issue `count` coupons (to `customers`, or bearer paper coupons) under a row lock."""
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    campaign = Campaign.objects.select_for_update().get(pk=self.pk)
                    campaign.refuse_unless_open(now)
                    to = None
                    if customers is not None:
                        have = Coupon.objects.filter(campaign=campaign, customer_id=OuterRef("customer_id"))
                        to = list(customers.exclude(Exists(have)).values_list("customer_id", flat=True))
                        count = len(to)
                    if campaign.remaining is not None:
                        count = min(count, campaign.remaining)
                    key = SigningKey.objects.active_for(self.store_id)
                    starts_at, expires_at = campaign.validity_for(now)
                    coupons = [
                        Coupon(
                            code=new_code(),
                            campaign=campaign,
                            store_id=campaign.store_id,
                            customer_id=to[i] if to is not None else None,
                            slot=1 if to is not None else None,
                            signing_key=key,
                            issued_at=now,
                            starts_at=starts_at,
                            expires_at=expires_at,
                        )
                        for i in range(count)
                    ]
                    Coupon.objects.bulk_create(coupons, batch_size=500)
                    Campaign.objects.filter(pk=self.pk).update(issued_count=F("issued_count") + count)
                self.refresh_from_db(fields=["issued_count", "status"])
                return count
            except IntegrityError:
                continue  # a code collided; nothing was written, so start over
        raise CouponRefused(_("잠시 뒤에 다시 해 주세요."), status=503)

    def issue_to_followers(self, *, now=None):
        """Give one coupon to every active follower who has none yet; returns how many."""
        if self.method != Method.FOLLOWERS:
            raise CouponRefused(_("단골 모두에게 주는 쿠폰이 아닙니다."))
        followers = Follow.objects.active().filter(store_id=self.store_id).order_by("started_at", "id")
        return self._bulk_issue(customers=followers, count=None, now=now or timezone.now())

    def print_paper(self, *, now=None):
        """Issue the whole quantity as bearer coupons, for a printed sheet."""
        if self.method != Method.PAPER:
            raise CouponRefused(_("종이 쿠폰이 아닙니다."))
        return self._bulk_issue(customers=None, count=self.quantity or 0, now=now or timezone.now())

    def end(self):
        return (
            Campaign.objects.filter(pk=self.pk, status=CampaignStatus.ACTIVE).update(status=CampaignStatus.ENDED) == 1
        )

    def revoke_unused(self, *, now=None):
        """Cancel every coupon of this campaign that was not used yet (a lost sheet, a mistake)."""
        now = now or timezone.now()
        return Coupon.objects.filter(campaign=self, status=CouponStatus.ISSUED).update(
            status=CouponStatus.REVOKED, revoked_at=now
        )


class LotteryDraw(models.Model):
    """One customer's one try at a lottery coupon, won or lost."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="draws")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    coupon = models.OneToOneField("Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("추첨 응모")
        verbose_name_plural = pgettext_lazy("plural", "추첨 응모")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="one_draw_per_customer")]

    def __str__(self):
        return f"{self.campaign} ← {self.customer}"


class CouponStatus(models.TextChoices):
    ISSUED = "issued", gettext_lazy("사용 가능")
    REDEEMED = "redeemed", gettext_lazy("사용함")
    REVOKED = "revoked", gettext_lazy("취소됨")


class CouponQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(status=CouponStatus.ISSUED, expires_at__gt=now or timezone.now())

    def past(self, *, now=None):
        return self.exclude(status=CouponStatus.ISSUED, expires_at__gt=now or timezone.now())

    def for_wallet(self, customer):
        return self.filter(customer=customer).select_related("campaign", "store")

    def usable_by(self, customer, *, now=None):
        """The customer's coupons that can still be used, the soonest to expire first."""
        return self.for_wallet(customer).usable(now=now).order_by("expires_at", "id")

    def history_of(self, customer, *, now=None):
        """The customer's used, expired and cancelled coupons, the newest first."""
        return self.for_wallet(customer).past(now=now).order_by("-issued_at", "-id")

    def presented_at(self, store, text, *, now=None):
        """(coupon, via) for what the merchant scanned or typed at `store`'s stall.

        A token that fails to verify, for any reason, gets one message that says nothing about why.
        """
        text = text or ""
        if len(text) > MAX_PRESENTED:
            raise CouponRefused(_("쿠폰 번호나 QR이 너무 깁니다. 다시 찍거나 입력해 주세요."), field="code")
        if tokens.looks_like_token(text):
            try:
                return SigningKey.coupon_for_token(text, store=store, now=now), Via.SCAN
            except tokens.BadToken:
                raise CouponRefused(_("이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요.")) from None
        code = normalize_code(text)
        if not code:
            raise CouponRefused(_("쿠폰 번호 8자리를 입력해 주세요. (예: ABCD-EFGH)"))
        coupon = _COUPON_BY_CODE.first(store.pk, code)
        if coupon is None:
            raise CouponRefused(
                _("이 가게에서 쓸 수 있는 쿠폰 번호가 아닙니다. 번호를 다시 확인해 주세요."), status=404
            )
        coupon.store = store  # the caller's row: the answer names it without reading it again
        return coupon, Via.CODE

    def presented_with_key(self, store_id, text, plain_key, *, now=None):
        """(coupon, via, api_key) for what a till sent to the stall of the store whose public id is
        `store_id`, read together with the till's key (and a token's signing key) in one statement.

        None whenever that is not a plain yes: a wrong, revoked or other store's key, an unknown code, a
        token that does not verify. The caller then checks the key alone and asks `presented_at`, so each
        of those gets its own answer (401, 404, 400) in the order it always had.
        """
        prefix = key_prefix(plain_key)
        text = text or ""
        if prefix is None or len(text) > MAX_PRESENTED:
            return None
        if tokens.looks_like_token(text):
            try:
                body, payload, signature = tokens.read_unverified(text, store_id=store_id)
            except tokens.BadToken:
                return None
            coupon = _COUPON_BY_TOKEN_WITH_TILL_KEY.first(store_id, payload["c"], prefix, payload["k"])
            via = Via.SCAN
        else:
            code = normalize_code(text)
            coupon = _COUPON_BY_CODE_WITH_TILL_KEY.first(store_id, code, prefix) if code else None
            via = Via.CODE
        if coupon is None:
            return None
        key = ApiKey.from_db(
            coupon._state.db,
            ["id", "store_id", "key_hash"],
            [coupon.till_key_id, coupon.store_id, coupon.till_key_hash],
        )
        if not key.opens_with(plain_key):
            return None
        if via == Via.SCAN:
            try:
                coupon.signing_key.verify(body, signature, payload, now=now)
            except tokens.BadToken:
                return None
        key.store = coupon.store
        return coupon, via, key


class Coupon(models.Model):
    """One issued coupon: a short code to type and a signed token for the QR."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    code = models.CharField(max_length=8, unique=True, default=new_code, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="coupons")
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="coupons")
    # Empty for a printed paper coupon: whoever holds it may use it.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="coupons"
    )
    # The n-th coupon of this campaign for this customer; unique, so the limit holds in the database.
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    signing_key = models.ForeignKey("SigningKey", on_delete=models.PROTECT, related_name="coupons")
    issued_at = models.DateTimeField(default=timezone.now)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=CouponStatus.choices, default=CouponStatus.ISSUED)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CouponQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("발급된 쿠폰")
        verbose_name_plural = pgettext_lazy("plural", "발급된 쿠폰")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer", "slot"], name="one_coupon_per_slot"),
            models.CheckConstraint(condition=Q(slot__isnull=True) | Q(slot__gte=1), name="coupon_slot_positive"),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "expires_at"]),
            models.Index(fields=["signing_key", "status", "expires_at"]),
        ]

    def __str__(self):
        return self.display_code

    def get_absolute_url(self):
        return reverse("coupons:wallet_coupon", args=[self.public_id])

    @property
    def display_code(self):
        return display_code(self.code)

    def state(self, now=None):
        """usable, not_yet, redeemed, revoked or expired: what the customer should be told."""
        now = now or timezone.now()
        if self.status != CouponStatus.ISSUED:
            return self.status
        if self.expires_at <= now:
            return "expired"
        return "not_yet" if self.starts_at > now else "usable"

    @property
    def last_day(self):
        return to_seoul(self.expires_at - dt.timedelta(microseconds=1)).date()

    def token(self):
        """The signed token for the QR code (Ed25519 signatures are deterministic)."""
        key = self.signing_key
        payload = {"k": key.kid, "s": self.store.public_id, "c": self.code, "e": int(self.expires_at.timestamp())}
        return tokens.sign(payload, key.private_key())

    def _refuse_redemption(self, now):
        current = Coupon.objects.get(pk=self.pk)
        if current.status == CouponStatus.REDEEMED:
            raise CouponRefused(
                _("이미 사용한 쿠폰입니다. ({when} 사용)").format(when=short_moment(current.redeemed_at)), status=409
            )
        if current.status == CouponStatus.REVOKED:
            raise CouponRefused(_("가게에서 취소한 쿠폰이라 쓸 수 없습니다."), status=409)
        current._refuse_outside_validity(now)

    def _refuse_outside_validity(self, now):
        if self.expires_at <= now:
            raise CouponRefused(
                _("사용 기간이 지난 쿠폰입니다. ({day}까지였습니다)").format(
                    day=date_format(self.last_day, _("n월 j일"))
                ),
                status=409,
            )
        raise CouponRefused(
            _("아직 쓸 수 없는 쿠폰입니다. {day}부터 쓸 수 있습니다.").format(
                day=date_format(to_seoul(self.starts_at), _("n월 j일"))
            ),
            status=409,
        )

    def _redemption_for(self, client_id):
        """The redemption a device's earlier request with `client_id` made, if it was this coupon's."""
        earlier = Redemption.objects.filter(store_id=self.store_id, client_id=client_id).first()
        if earlier is not None and earlier.coupon_id != self.pk:
            raise CouponRefused(_("이 요청 번호는 다른 쿠폰에 이미 쓰였습니다."), status=409)
        return earlier

    def redeem(self, *, via, by=None, api_key=None, amount=None, client_id="", now=None):
        """Use the coupon at the stall, exactly once: a conditional update whose row count is checked.

        `client_id` makes a retry from a device idempotent: the same id returns the same redemption.
        """
        now = now or timezone.now()
        if amount is not None and not 0 <= amount <= MAX_WON:
            raise ValidationError({"amount": _("구매 금액은 0원에서 1억 원 사이로 적어 주세요.")})
        if len(client_id or "") > MAX_CLIENT_ID:
            raise ValidationError({"client_id": _("요청 번호는 {n}자까지 쓸 수 있습니다.").format(n=MAX_CLIENT_ID)})
        campaign = self.campaign
        if amount is not None and amount < campaign.min_purchase:
            raise CouponRefused(
                _("{amount}원 이상 살 때 쓸 수 있는 쿠폰입니다.").format(amount=f"{campaign.min_purchase:,}")
            )
        redemption = Redemption(
            coupon=self,
            store_id=self.store_id,
            via=via,
            redeemed_by=by,
            api_key=api_key,
            amount=amount,
            discount=campaign.discount_for(amount),
            client_id=client_id,
            created_at=now,
        )
        # The use and its record are one statement on PostgreSQL (both or neither). A retry with the same
        # client_id needs no look-up first: its update finds the coupon used (or, after an undo, its insert
        # meets the unique client_id), and then the earlier redemption answers.
        try:
            used = insert_row_after(_USE, (self.pk, now), redemption)
        except IntegrityError:
            # The same client_id was just used on another coupon of this store.
            earlier = self._redemption_for(client_id) if client_id else None
            if earlier is None:
                raise
            return earlier
        if not used:
            # A retry that lost the race to its own first try: that one has committed by now (the
            # update waited for its row lock), so it is answered, not refused.
            earlier = self._redemption_for(client_id) if client_id else None
            if earlier is not None:
                return earlier
            self._refuse_redemption(now)
        self.status, self.redeemed_at = CouponStatus.REDEEMED, now
        return redemption

    def redeem_with_pin(self, *, customer, pin, amount=None, now=None):
        """The customer pressed "사용" and the merchant typed the store's PIN on the customer's phone."""
        now = now or timezone.now()
        StorePin.verify(store=self.store, customer=customer, pin=pin, now=now)
        return self.redeem(via=Via.PIN, by=customer, amount=amount, now=now)

    def undo_redemption(self, *, by=None, api_key=None, now=None):
        redemption = self.redemptions.filter(undone_at__isnull=True).first()
        if redemption is None:
            raise CouponRefused(_("사용 처리된 쿠폰이 아닙니다."), status=409)
        return redemption.undo(by=by, api_key=api_key, now=now)

    def redeem_offline(self, *, via, used_at, client_id, by=None, api_key=None, amount=None, device="", now=None):
        """A use a stall recorded without network, sent when it came back: ("accepted", Redemption)
        or ("double_use", DoubleUse). Exactly once per `client_id`. The first use by time of use
        counts, whichever device synced first; the other use is kept as a DoubleUse for the merchant.

        The coupon's row lock orders every record for this coupon, and online redemptions wait on it too.
        """
        from .offline import DoubleUse

        now = now or timezone.now()
        if not client_id or len(client_id) > MAX_CLIENT_ID:
            raise ValidationError({"client_id": _("기기 기록 번호가 없거나 너무 깁니다.")})
        if used_at > now + CLOCK_SKEW:
            raise CouponRefused(_("기기의 시계가 맞지 않아 받을 수 없는 기록입니다. 휴대폰 시간을 확인해 주세요."))
        used_at = min(used_at, now)
        if amount is not None and not 0 <= amount <= MAX_WON:
            raise ValidationError({"amount": _("구매 금액은 0원에서 1억 원 사이로 적어 주세요.")})
        if amount is not None and amount < self.campaign.min_purchase:
            raise CouponRefused(
                _("{amount}원 이상 살 때 쓸 수 있는 쿠폰입니다.").format(amount=f"{self.campaign.min_purchase:,}")
            )
        if used_at < now - offline_record_age():
            raise CouponRefused(
                _("{n}일이 넘은 기록이라 받을 수 없습니다.").format(n=offline_record_age().days), status=409
            )
        with transaction.atomic():
            Coupon.objects.select_for_update().filter(pk=self.pk).first()
            known = Redemption.objects.filter(store_id=self.store_id, client_id=client_id).first()
            if known is not None:
                if known.coupon_id != self.pk:
                    raise CouponRefused(_("이 요청 번호는 다른 쿠폰에 이미 쓰였습니다."), status=409)
                return "accepted", known
            double = DoubleUse.objects.filter(store_id=self.store_id, client_id=client_id).first()
            if double is not None:
                return "double_use", double
            live = self.redemptions.filter(undone_at__isnull=True).first()
            this_use = {"via": via, "amount": amount, "api_key": api_key, "client_id": client_id, "device": device}
            if live is None:
                redemption = self.redeem(
                    via=via, by=by, api_key=api_key, amount=amount, client_id=client_id, now=used_at
                )
                Redemption.objects.filter(pk=redemption.pk).update(device=device, synced_at=now)
                return "accepted", redemption
            if used_at >= live.created_at:
                double = DoubleUse.objects.create(
                    store_id=self.store_id,
                    coupon=self,
                    kept=live,
                    used_at=used_at,
                    recorded_by=by,
                    received_at=now,
                    **this_use,
                )
                return "double_use", double
            # This use came first: it takes the redemption's place, and the later one is reported.
            if not self.starts_at <= used_at < self.expires_at:
                self._refuse_outside_validity(used_at)
            earlier = {
                "via": live.via,
                "amount": live.amount,
                "api_key": live.api_key,
                "client_id": live.client_id,
                "device": live.device,
                "used_at": live.created_at,
                "recorded_by": live.redeemed_by,
            }
            Redemption.objects.filter(pk=live.pk).update(
                created_at=used_at,
                redeemed_by=by,
                discount=self.campaign.discount_for(amount),
                synced_at=now,
                **this_use,
            )
            Coupon.objects.filter(pk=self.pk).update(redeemed_at=used_at)
            DoubleUse.objects.create(store_id=self.store_id, coupon=self, kept=live, received_at=now, **earlier)
        live.refresh_from_db()
        return "accepted", live

    def revoke(self, *, now=None):
        return (
            Coupon.objects.filter(pk=self.pk, status=CouponStatus.ISSUED).update(
                status=CouponStatus.REVOKED, revoked_at=now or timezone.now()
            )
            == 1
        )


class Via(models.TextChoices):
    SCAN = "scan", gettext_lazy("QR 찍기")
    CODE = "code", gettext_lazy("번호 입력")
    PIN = "pin", gettext_lazy("손님 휴대폰에서 확인 번호")
    API = "api", gettext_lazy("계산대 연동(API)")


class Redemption(models.Model):
    """A coupon used at the stall; an undo is recorded on the same row, never deleted."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="redemptions")
    via = models.CharField(max_length=10, choices=Via.choices)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey("ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.PositiveIntegerField(gettext_lazy("구매 금액(원)"), null=True, blank=True)
    discount = models.PositiveIntegerField(gettext_lazy("할인 금액(원)"), null=True, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a use recorded on a stall device without network reached the server; None for online uses.
    synced_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_by_key = models.ForeignKey("ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("쿠폰 사용")
        verbose_name_plural = pgettext_lazy("plural", "쿠폰 사용")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Whatever happens above, the database keeps one live redemption per coupon.
            models.UniqueConstraint(
                fields=["coupon"], condition=Q(undone_at__isnull=True), name="one_live_redemption_per_coupon"
            ),
            models.UniqueConstraint(
                fields=["store", "client_id"], condition=~Q(client_id=""), name="one_redemption_per_client_id"
            ),
        ]
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self):
        return f"{self.coupon} @ {self.created_at:%Y-%m-%d %H:%M}"

    def can_undo(self, now=None):
        return self.undone_at is None and (now or timezone.now()) - self.created_at <= UNDO_WINDOW

    def undo(self, *, by=None, api_key=None, now=None):
        """Put the coupon back within UNDO_WINDOW of using it; both moments stay on record."""
        now = now or timezone.now()
        with transaction.atomic():
            current = Redemption.objects.select_for_update().get(pk=self.pk)
            if current.undone_at is not None:
                raise CouponRefused(_("이미 되돌린 사용 처리입니다."), status=409)
            if now - current.created_at > UNDO_WINDOW:
                raise CouponRefused(
                    _("사용하고 {n}분이 지나 되돌릴 수 없습니다.").format(n=minutes(UNDO_WINDOW)), status=409
                )
            Redemption.objects.filter(pk=self.pk).update(undone_at=now, undone_by=by, undone_by_key=api_key)
            Coupon.objects.filter(pk=current.coupon_id, status=CouponStatus.REDEEMED).update(
                status=CouponStatus.ISSUED, redeemed_at=None
            )
        self.refresh_from_db()
        return self


class SigningKeyQuerySet(models.QuerySet):
    def live_for(self, store_id):
        return self.filter(store_id=store_id, retired_at__isnull=True)

    def active_for(self, store_id):
        """The store's current key, made on first use (one active key per store, by constraint)."""
        key = _LIVE_KEY.first(store_id)
        if key is not None:
            return key
        sealed, public = tokens.new_key_pair()
        try:
            with transaction.atomic():
                return self.create(store_id=store_id, private_key_sealed=sealed, public_key=public)
        except IntegrityError:
            return self.get(store_id=store_id, retired_at__isnull=True)

    def published(self, store, *, now=None):
        """Keys a device needs to check this store's coupons offline: the active one, and retired
        ones while coupons they signed can still be used. Revoked keys are never published."""
        live = Coupon.objects.filter(
            signing_key=OuterRef("pk"), status=CouponStatus.ISSUED, expires_at__gt=now or timezone.now()
        )
        return (
            self.filter(store=store, revoked_at__isnull=True)
            .filter(Q(retired_at__isnull=True) | Exists(live))
            .order_by("-created_at")
        )


_private_keys = {}
# Each store's active key as this process last read it (store id -> SigningKey), so that a claim needn't
# read it: the claim's statement checks the key is still active, and reads again when it is not.
_current_keys = {}
MAX_CURRENT_KEYS = 10_000


class SigningKey(models.Model):
    """A store's Ed25519 key for coupon tokens. The private half is stored sealed, never shown."""

    kid = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="signing_keys")
    public_key = models.CharField(max_length=64, editable=False)
    private_key_sealed = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("쿠폰 서명 키")
        verbose_name_plural = pgettext_lazy("plural", "쿠폰 서명 키")
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(retired_at__isnull=True), name="one_active_signing_key_per_store"
            )
        ]

    def __str__(self):
        return f"{self.store} {self.kid}"

    def private_key(self):
        key = _private_keys.get(self.kid)
        if key is None:
            key = _private_keys[self.kid] = tokens.open_private_key(self.private_key_sealed)
        return key

    @classmethod
    def current_for(cls, store_id, *, reread=False):
        """The store's active key as this process knows it; `reread` asks the database again.

        Only for a write that checks the key is still active (the claim's `_TAKE_ONE`): another process
        may have retired it since."""
        key = None if reread else _current_keys.get(store_id)
        if key is None:
            key = cls.objects.active_for(store_id)
            if len(_current_keys) >= MAX_CURRENT_KEYS:
                _current_keys.clear()
            _current_keys[store_id] = key
        return key

    @classmethod
    def forget_current(cls, store_id=None):
        """Read the store's key (or every store's, with None) from the database next time."""
        if store_id is None:
            _current_keys.clear()
        else:
            _current_keys.pop(store_id, None)

    @classmethod
    def rotate(cls, *, store, compromised=False, now=None):
        """Start signing with a new key. An old key stays published until its coupons expire;
        a compromised one is withdrawn at once and its unused coupons move to the new key."""
        now = now or timezone.now()
        with transaction.atomic():
            old = cls.objects.select_for_update().filter(store=store, retired_at__isnull=True).first()
            if old is not None:
                old.retired_at = now
                if compromised:
                    old.revoked_at = now
                old.save(update_fields=["retired_at", "revoked_at"])
            cls.forget_current(store.pk)
            new = cls.objects.active_for(store.pk)
            if old is not None and compromised:
                old.coupons.filter(status=CouponStatus.ISSUED).update(signing_key=new)
        return new

    @classmethod
    def coupon_for_token(cls, token, *, store, now=None):
        """The store's coupon a QR token names, if the token verifies; BadToken for any failure."""
        body, payload, signature = tokens.read_unverified(token, store_id=store.public_id)
        # A token is signed with its coupon's own key (`Coupon.token`): the coupon is read with it.
        coupon = _COUPON_BY_TOKEN.first(store.pk, payload["c"], payload["k"])
        if coupon is None:
            raise tokens.BadToken
        coupon.signing_key.verify(body, signature, payload, now=now)
        coupon.store = store
        return coupon

    def verify(self, body, signature, payload, *, now=None):
        """BadToken unless this key signed `body` and the token has not expired."""
        tokens.check_signature(body, signature, self.public_key)
        if payload["e"] <= (now or timezone.now()).timestamp():
            raise tokens.BadToken


def _hour(now):
    return now.replace(minute=0, second=0, microsecond=0)


# Asked on every claim and every use at the stall: built by the ORM once per process (lib.sql).
_COUPON_BY_CODE = FixedQuery(
    lambda store_id, code: Coupon.objects.filter(store_id=store_id, code=code).select_related("campaign")[:1],
    MARKER_ID,
    MARKER_TEXT,
)
_LIVE_KEY = FixedQuery(lambda store_id: SigningKey.objects.live_for(store_id)[:1], MARKER_ID)
_COUPON_BY_TOKEN = FixedQuery(
    lambda store_id, code, kid: Coupon.objects.filter(
        store_id=store_id, code=code, signing_key__kid=kid, signing_key__revoked_at__isnull=True
    ).select_related("campaign", "signing_key")[:1],
    MARKER_ID,
    MARKER_TEXT,
    MARKER_TEXT_2,
)


def _with_till_key(store_id, code, prefix, kid=None):
    """The coupon `code` of the store whose public id is `store_id`, with its campaign and store, only if
    `prefix` names a live key of that store (its id and hash come along); with `kid`, only if the coupon
    is signed with that unrevoked key (which comes along too)."""
    coupons = Coupon.objects.filter(
        store__public_id=store_id,
        code=code,
        store__api_keys__prefix=prefix,  # one filter() call: both conditions are on the same key
        store__api_keys__revoked_at__isnull=True,
    )
    related = ["campaign", "store"]
    if kid is not None:
        coupons = coupons.filter(signing_key__kid=kid, signing_key__revoked_at__isnull=True)
        related.append("signing_key")
    return coupons.select_related(*related).annotate(
        till_key_id=F("store__api_keys__id"), till_key_hash=F("store__api_keys__key_hash")
    )[:1]


# The stall's two routes read the till's key with the coupon (`presented_with_key`): one round trip.
_COUPON_BY_CODE_WITH_TILL_KEY = FixedQuery(_with_till_key, MARKER_TEXT, MARKER_TEXT_2, MARKER_TEXT_3)
_COUPON_BY_TOKEN_WITH_TILL_KEY = FixedQuery(_with_till_key, MARKER_TEXT, MARKER_TEXT_2, MARKER_TEXT_3, MARKER_TEXT_4)
# A claim takes one from the quantity while any is left, signing with the store's active key (`kid`); a
# use at the stall takes a coupon that is issued and valid now. The row count says whether it happened.
_TAKE_ONE = FixedUpdate(
    lambda campaign_id, kid: (
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.ACTIVE)
        .filter(Q(quantity__isnull=True) | Q(issued_count__lt=F("quantity")))
        .filter(Exists(SigningKey.objects.filter(kid=kid, store_id=OuterRef("store_id"), retired_at__isnull=True)))
    ),
    {"issued_count": F("issued_count") + 1},
    MARKER_ID,
    MARKER_TEXT,
)
_USE = FixedUpdate(
    lambda coupon_id, now: Coupon.objects.filter(
        pk=coupon_id, status=CouponStatus.ISSUED, starts_at__lte=now, expires_at__gt=now
    ),
    {"status": CouponStatus.REDEEMED, "redeemed_at": MARKER_TIME},
    MARKER_ID,
    MARKER_TIME,
)
