"""The market program: cohorts of markets, their operators and tutors, invitations, visits and prints.

Nothing here is ticked by hand: a store's onboarding progress is read from what it did (see `progress`).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangol.lib.ids import new_public_id
from dangol.lib.phones import normalize_phone
from dangol.lib.refusals import AlreadyDone, Refused
from dangol.lib.seoul import seoul_midnight, seoul_today
from dangol.lib.text import optional_text, required_text

MAX_VISIT_TEXT = 500
VISIT_LOG_DAYS_BACK = 60


class ProgramRefused(Refused):
    """A program rule said no."""


def invitation_lifetime():
    return dt.timedelta(days=getattr(settings, "PROGRAM_INVITATION_DAYS", 14))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CohortQuerySet(models.QuerySet):
    def operated_by(self, user):
        """Cohorts `user` runs; staff run them all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(operators=user)

    def visible_to(self, user):
        """Cohorts `user` runs or tutors in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(Q(operators=user) | Q(assignments__tutor=user)).distinct()


class Cohort(models.Model):
    """One round of the program: markets taught together between two dates."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    name = models.CharField(gettext_lazy("이름"), max_length=80)
    starts_on = models.DateField(gettext_lazy("시작일"))
    ends_on = models.DateField(gettext_lazy("종료일"))
    markets = models.ManyToManyField(
        "markets.Market", blank=True, related_name="cohorts", verbose_name=gettext_lazy("시장")
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="operated_cohorts", verbose_name=gettext_lazy("운영자")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("기수")
        verbose_name_plural = gettext_lazy("기수")
        ordering = ["-starts_on", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("program:cohort", args=[self.public_id])

    def clean(self):
        errors = {}
        try:
            self.name = required_text(self.name, field="name", max_length=80, label=_("이름"))
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = [_("종료일은 시작일과 같거나 뒤여야 합니다.")]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def start(cls, *, name, starts_on, ends_on, by):
        """A new cohort run by `by`."""
        cohort = cls(name=name, starts_on=starts_on, ends_on=ends_on)
        cohort.clean()
        with transaction.atomic():
            cohort.save()
            cohort.operators.add(by)
        return cohort

    @property
    def period(self):
        """[since, before) of the cohort's dates, in Seoul time."""
        return seoul_midnight(self.starts_on), seoul_midnight(self.ends_on + dt.timedelta(days=1))

    def add_market(self, market):
        if self.markets.filter(pk=market.pk).exists():
            raise AlreadyDone(_("이미 이 기수에 있는 시장입니다."), field="market")
        self.markets.add(market)

    def assign_tutor(self, *, tutor, market, store=None):
        """Give `tutor` a whole market of this cohort, or one store in it."""
        if not self.markets.filter(pk=market.pk).exists():
            raise ProgramRefused(_("이 기수에 없는 시장입니다."), field="market")
        if store is not None and store.market_id != market.pk:
            raise ProgramRefused(_("이 시장에 없는 가게입니다."), field="store")
        assignment, created = Assignment.objects.get_or_create(cohort=self, tutor=tutor, market=market, store=store)
        if not created:
            raise AlreadyDone(_("이미 맡긴 곳입니다."))
        return assignment


class Assignment(models.Model):
    """A tutor looks after a market of a cohort (store empty) or one store in it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_assignments")
    market = models.ForeignKey("markets.Market", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("channels.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("튜터 배정")
        verbose_name_plural = gettext_lazy("튜터 배정")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "tutor", "market"], condition=Q(store__isnull=True), name="one_market_assignment"
            ),
            models.UniqueConstraint(
                fields=["cohort", "tutor", "store"], condition=Q(store__isnull=False), name="one_store_assignment"
            ),
        ]

    def __str__(self):
        return f"{self.tutor} → {self.store or self.market}"


class InvitationQuerySet(models.QuerySet):
    def open(self, *, now=None):
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A one-time sign-in that makes whoever opens it (with a texted one: that phone) a merchant of the store.

    Only the token's hash is kept: the link exists on the paper or in the text, nowhere else.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    phone = models.CharField(gettext_lazy("받는 번호"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("만든 사람"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("상인 초대")
        verbose_name_plural = gettext_lazy("상인 초대")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.store} ({self.created_at:%Y-%m-%d})"

    @classmethod
    def issue(cls, *, store, by, phone="", now=None):
        """(invitation, token): the token is shown once, in the link printed or texted."""
        now = now or timezone.now()
        if phone:
            try:
                phone = normalize_phone(phone)
            except ValidationError as error:
                raise ProgramRefused(error.messages[0], field="phone") from None
        token = secrets.token_urlsafe(24)
        invitation = cls.objects.create(
            store=store,
            digest=_digest(token),
            phone=phone,
            created_by=by,
            created_at=now,
            expires_at=now + invitation_lifetime(),
        )
        return invitation, token

    @classmethod
    def find(cls, token):
        """The invitation for `token`, used or not, or None."""
        if not token or len(token) > 64:
            return None
        return cls.objects.select_related("store__market").filter(digest=_digest(token)).first()

    def accept(self, *, user, now=None):
        """Make `user` a merchant of the store, once. Refused when used, expired, or meant for another phone."""
        now = now or timezone.now()
        if self.phone and user.phone != self.phone:
            raise ProgramRefused(
                _("다른 휴대폰 번호로 보낸 초대입니다. 문자를 받은 번호로 로그인해 주세요."), status=403
            )
        with transaction.atomic():
            taken = Invitation.objects.filter(pk=self.pk, accepted_at__isnull=True, expires_at__gt=now).update(
                accepted_at=now, accepted_by=user
            )
            if taken != 1:
                self.refresh_from_db()
                if self.accepted_at is not None:
                    raise ProgramRefused(_("이미 사용한 초대입니다. 새 초대를 받아 주세요."), status=409)
                raise ProgramRefused(_("기간이 지난 초대입니다. 새 초대를 받아 주세요."), status=409)
            self.store.owners.add(user)
        self.accepted_at, self.accepted_by = now, user
        return self.store


class PrintKind(models.TextChoices):
    POSTER = "poster", gettext_lazy("QR 포스터")
    GUIDE = "guide", gettext_lazy("안내 책자")
    COUPONS = "coupons", gettext_lazy("종이 쿠폰")
    INVITATION = "invitation", gettext_lazy("초대장")


class PrintRecord(models.Model):
    """Someone downloaded a printable PDF for a store: the checklist's "QR poster printed" reads these."""

    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="print_records")
    kind = models.CharField(max_length=12, choices=PrintKind.choices)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("인쇄 기록")
        verbose_name_plural = gettext_lazy("인쇄 기록")
        indexes = [models.Index(fields=["store", "kind"])]

    def __str__(self):
        return f"{self.store} {self.get_kind_display()}"

    @classmethod
    def record(cls, *, stores, kind, by):
        now = timezone.now()
        user = by if by is not None and by.is_authenticated else None
        cls.objects.bulk_create(cls(store=store, kind=kind, printed_by=user, created_at=now) for store in stores)


class Visit(models.Model):
    """A tutor's visit to a store: what was taught and what comes next."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="visits")
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="tutor_visits")
    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(gettext_lazy("방문일"))
    taught = models.TextField(gettext_lazy("가르친 것"), max_length=MAX_VISIT_TEXT)
    next_step = models.TextField(gettext_lazy("다음에 할 것"), max_length=MAX_VISIT_TEXT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("방문 기록")
        verbose_name_plural = gettext_lazy("방문 기록")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.store} {self.visited_on}"

    @classmethod
    def log(cls, *, cohort, store, tutor, visited_on, taught, next_step=""):
        """Write a visit; the date is today or within the last VISIT_LOG_DAYS_BACK days."""
        errors = {}
        today = seoul_today()
        if visited_on is None or not today - dt.timedelta(days=VISIT_LOG_DAYS_BACK) <= visited_on <= today:
            errors["visited_on"] = [
                _("방문일은 오늘이나 지난 {n}일 안의 날짜로 적어 주세요.").format(n=VISIT_LOG_DAYS_BACK)
            ]
        try:
            taught = required_text(taught, field="taught", max_length=MAX_VISIT_TEXT, label=_("가르친 것"))
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            next_step = optional_text(next_step, field="next_step", max_length=MAX_VISIT_TEXT, label=_("다음에 할 것"))
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return cls.objects.create(
            cohort=cohort, store=store, tutor=tutor, visited_on=visited_on, taught=taught, next_step=next_step
        )
