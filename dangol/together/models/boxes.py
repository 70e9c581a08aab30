import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.ledger.models import Entry
from dangol.lib.ids import new_public_id
from dangol.lib.seoul import SEOUL, to_seoul

from .base import (
    PUBLIC,
    AlreadyDone,
    Moderation,
    Refused,
    Reportable,
    ReportableQuerySet,
    Rules,
    as_recorded,
    collect_text,
    person_label,
    phone_key,
    won,
)
from .limits import take_comment
from .proposals import MAX_PERIOD_DAYS, Proposal

MIN_DONATION = 1_000
MAX_DONATION = 10_000_000
MAX_MESSAGE = 300
MAX_COMMENT = 500


def period_end(start, days):
    """Midnight (Seoul) after the last day: a box opened on 3/1 for 30 days takes gifts through 3/30."""
    last_day = to_seoul(start).date() + dt.timedelta(days=days)
    return dt.datetime.combine(last_day, dt.time(0), tzinfo=SEOUL)


class Memo:
    """What Together writes into the public ledger, kept in Korean (`as_recorded`)."""

    DIRECT = _("직접 기부")
    MATCHING = _("매칭 기부")
    MATCHING_TAKEN_BACK = _("매칭 기부 취소")
    REFUND = _("기부 환불")
    PAYOUT = _("모금액 전달")
    PAYOUT_RECEIVED = _("전달받은 모금액")
    PARTICIPATION = _("참여 기부 · {action}")

    @classmethod
    def shown(cls, memo):
        """A ledger line's memo in the reader's language when Together wrote it; as written otherwise."""
        fixed = [cls.DIRECT, cls.MATCHING, cls.MATCHING_TAKEN_BACK, cls.REFUND, cls.PAYOUT, cls.PAYOUT_RECEIVED]
        for text in fixed:
            if memo == as_recorded(text):
                return text
        for action in ParticipationAction:
            if memo == as_recorded(cls.PARTICIPATION, action=action.label):
                return format_lazy(cls.PARTICIPATION, action=action.label)
        return memo


class BoxStatus(models.TextChoices):
    OPEN = "open", _("모금 중")
    CLOSED = "closed", _("모금 종료")
    PAID_OUT = "paid_out", _("모금액 전달 완료")
    REPORTED = "reported", _("모금후기 제출 완료")


class FundraiserQuerySet(models.QuerySet):
    def public(self):
        return self.filter(proposal__moderation__in=PUBLIC)

    def visible_to(self, user):
        """A box is seen by whoever may see its proposal."""
        return self.filter(proposal__in=Proposal.objects.visible_to(user))

    def taking_gifts(self, *, now=None):
        return self.filter(status=BoxStatus.OPEN, ends_at__gt=now or timezone.now())

    def finished(self):
        return self.exclude(status=BoxStatus.OPEN)

    def awaiting_payout(self):
        """Closed boxes whose plan a reviewer approved: the money is ready to hand over."""
        from .settlement import PlanStatus

        return self.filter(status=BoxStatus.CLOSED, plan__status=PlanStatus.APPROVED).order_by("ends_at")

    def close_due(self, *, now=None):
        """Boxes past their end date stop taking gifts (scheduler; pages show it at once)."""
        return self.filter(status=BoxStatus.OPEN, ends_at__lte=now or timezone.now()).update(
            status=BoxStatus.CLOSED, closed_at=F("ends_at")
        )

    def report_overdue(self, *, now=None):
        return self.filter(status=BoxStatus.PAID_OUT, report_due_at__lt=now or timezone.now())


class Fundraiser(models.Model):
    """The fundraising box (모금함) an approved proposal opens. The goal never changes once open."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    proposal = models.OneToOneField("together.Proposal", on_delete=models.PROTECT, related_name="box")
    goal = models.PositiveBigIntegerField(_("목표 금액(원)"), editable=False)
    starts_at = models.DateTimeField(_("시작"))
    ends_at = models.DateTimeField(_("마감"))
    status = models.CharField(max_length=10, choices=BoxStatus.choices, default=BoxStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    direct_total = models.BigIntegerField(_("직접 기부(원)"), default=0)
    participation_total = models.BigIntegerField(_("참여 기부(원)"), default=0)
    matching_total = models.BigIntegerField(_("매칭 기부(원)"), default=0)
    report_due_at = models.DateTimeField(_("모금후기 기한"), null=True, blank=True)

    objects = FundraiserQuerySet.as_manager()

    class Meta:
        verbose_name = _("모금함")
        verbose_name_plural = pgettext_lazy("plural", "모금함")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "ends_at"])]

    def __str__(self):
        return self.proposal.title

    def get_absolute_url(self):
        return reverse("together:box", args=[self.public_id])

    @classmethod
    def open_for(cls, proposal, *, now):
        return cls.objects.create(
            proposal=proposal, goal=proposal.goal, starts_at=now, ends_at=period_end(now, proposal.period_days)
        )

    @property
    def book(self):
        """The box's page in the public ledger: money in, refunds, the payout."""
        return f"together/{self.public_id}"

    @property
    def usage_book(self):
        """Where the paid-out money went: opened by the payout, closed by the expenses."""
        return f"together/{self.public_id}/usage"

    @property
    def total(self):
        return self.direct_total + self.participation_total + self.matching_total

    @property
    def percent(self):
        return self.total * 100 // self.goal if self.goal else 0

    @property
    def bar_percent(self):
        return min(100, self.percent)

    def shown_status(self, now=None):
        if self.status == BoxStatus.OPEN and (now or timezone.now()) >= self.ends_at:
            return BoxStatus.CLOSED
        return BoxStatus(self.status)

    def is_open(self, now=None):
        return self.shown_status(now) == BoxStatus.OPEN and self.proposal.is_public

    @property
    def last_day(self):
        """The last day (Seoul) that takes gifts: what people read, rather than midnight after it."""
        return to_seoul(self.ends_at - dt.timedelta(microseconds=1)).date()

    def days_left(self, now=None):
        return max(0, (to_seoul(self.ends_at).date() - to_seoul(now or timezone.now()).date()).days)

    def report_overdue(self, now=None):
        return self.status == BoxStatus.PAID_OUT and (now or timezone.now()) > self.report_due_at

    def is_team(self, user):
        return self.proposal.is_proposer(user)

    def ledger_lines(self):
        """The box's lines in the public ledger: money in and out, then what the payout bought."""
        return Entry.objects.filter(book__in=[self.book, self.usage_book])

    def donor_count(self):
        return self.donations.settled().values("donor").distinct().count()

    def participant_counts(self):
        """How many people took part (cheer, share or comment), and how many cheers."""
        return self.participations.aggregate(
            people=models.Count("phone_key", distinct=True),
            cheers=models.Count("pk", filter=Q(action=ParticipationAction.CHEER)),
        )

    def _lock(self):
        return Fundraiser.objects.select_for_update().select_related("proposal").get(pk=self.pk)

    def _refuse_unless_open(self, now):
        if not self.proposal.is_public:
            raise Refused(gettext("신고가 많아 운영진이 확인하는 모금함입니다. 잠시 기다려 주세요."))
        if self.shown_status(now) != BoxStatus.OPEN:
            raise Refused(gettext("모금이 끝났습니다."))

    def extend(self, *, until, by, now=None):
        """Move the end date later, while open, within 90 days of the start."""
        now = now or timezone.now()
        if until <= self.ends_at:
            raise ValidationError({"until": gettext("지금 마감일보다 뒤의 날짜를 골라 주세요.")})
        if until > period_end(self.starts_at, MAX_PERIOD_DAYS):
            raise ValidationError(
                {"until": gettext("모금 기간은 시작일부터 {n}일을 넘길 수 없습니다.").format(n=MAX_PERIOD_DAYS)}
            )
        extended = Fundraiser.objects.filter(
            pk=self.pk, status=BoxStatus.OPEN, ends_at__gt=now, ends_at__lt=until
        ).update(ends_at=until)
        if not extended:
            raise Refused(gettext("이미 끝난 모금함은 연장할 수 없습니다."))
        self.ends_at = until

    def participate(self, *, user, action, now=None):
        """Cheer or share: a sponsor gives its fixed amount, once per person per action per box."""
        now = now or timezone.now()
        if action not in (ParticipationAction.CHEER, ParticipationAction.SHARE):
            raise Refused(gettext("응원 또는 공유만 할 수 있습니다."), field="action")
        with transaction.atomic():
            box = self._lock()
            box._refuse_unless_open(now)
            participation = box._participate(user=user, action=action, now=now)
            if participation is None:
                raise AlreadyDone(
                    gettext("이미 {action}했습니다. 한 모금함에 한 번씩 참여할 수 있습니다.").format(
                        action=ParticipationAction(action).label
                    )
                )
        self.refresh_from_db()
        return participation

    def _participate(self, *, user, action, now):
        """Inside the box lock: record the act and take a gift from the first sponsor with room left."""
        key = phone_key(user.phone)
        if Participation.objects.filter(box=self, phone_key=key, action=action).exists():
            return None
        participation = Participation.objects.create(box=self, user=user, phone_key=key, action=action, created_at=now)
        sponsors = Sponsor.objects.select_for_update().filter(box=self, participation_amount__gt=0).order_by("pk")
        for sponsor in sponsors:
            if sponsor.participation_given + sponsor.participation_amount > sponsor.participation_cap:
                continue
            sponsor.participation_given += sponsor.participation_amount
            sponsor.save(update_fields=["participation_given"])
            participation.sponsor, participation.amount = sponsor, sponsor.participation_amount
            participation.save(update_fields=["sponsor", "amount"])
            Fundraiser.objects.filter(pk=self.pk).update(
                participation_total=F("participation_total") + sponsor.participation_amount
            )
            Entry.append(
                book=self.book,
                kind="participation",
                amount=sponsor.participation_amount,
                memo=as_recorded(Memo.PARTICIPATION, action=ParticipationAction(action).label),
                reference=f"participation:{participation.public_id}",
            )
            break
        return participation

    def post_comment(self, *, user, body, now=None):
        """A neighbour's comment; the first one while open also counts as a participation."""
        now = now or timezone.now()
        errors = {}
        body = collect_text(
            errors,
            body,
            field="body",
            max_length=MAX_COMMENT,
            label=gettext("댓글"),
            blank=gettext("댓글 내용을 적어 주세요."),
        )
        if errors:
            raise ValidationError(errors)
        if not self.proposal.is_public:
            raise Refused(gettext("신고가 많아 운영진이 확인하는 모금함입니다. 잠시 기다려 주세요."))
        limit = Rules.current().comments_per_hour
        with transaction.atomic():
            box = self._lock()
            take_comment(user, limit=limit, now=now)
            comment = Comment.objects.create(
                box=box, author=user, author_label=person_label(user), body=body, created_at=now
            )
            if box.shown_status(now) == BoxStatus.OPEN:
                box._participate(user=user, action=ParticipationAction.COMMENT, now=now)
        self.refresh_from_db()
        return comment

    def _match(self, donation, *, now):
        """Inside the box lock: sponsors double the gift, each up to what is left of its cap."""
        left = donation.amount
        for sponsor in (
            Sponsor.objects.select_for_update().filter(box=self, matching_cap__gt=F("matching_given")).order_by("pk")
        ):
            give = min(left, sponsor.matching_cap - sponsor.matching_given)
            sponsor.matching_given += give
            sponsor.save(update_fields=["matching_given"])
            MatchingGift.objects.create(donation=donation, sponsor=sponsor, amount=give, created_at=now)
            Entry.append(
                book=self.book,
                kind="matching",
                amount=give,
                memo=as_recorded(Memo.MATCHING),
                reference=donation.ledger_reference,
            )
            left -= give
            if not left:
                break
        matched = donation.amount - left
        if matched:
            Donation.objects.filter(pk=donation.pk).update(matched_amount=F("matched_amount") + matched)
            Fundraiser.objects.filter(pk=self.pk).update(matching_total=F("matching_total") + matched)
        return matched

    def _unmatch(self, donation, *, excess, now):
        """Inside the box lock: after a refund, a sponsor matches no more than the donor still gives."""
        taken = 0
        per_sponsor = (
            MatchingGift.objects.filter(donation=donation)
            .values("sponsor")
            .annotate(n=Sum("amount"))
            .order_by("-sponsor")
        )
        for row in per_sponsor:
            take = min(row["n"], excess - taken)
            if take <= 0:
                continue
            sponsor = Sponsor.objects.select_for_update().get(pk=row["sponsor"])
            sponsor.matching_given -= take
            sponsor.save(update_fields=["matching_given"])
            MatchingGift.objects.create(donation=donation, sponsor=sponsor, amount=-take, created_at=now)
            taken += take
        if taken:
            Entry.append(
                book=self.book,
                kind="matching",
                amount=-taken,
                memo=as_recorded(Memo.MATCHING_TAKEN_BACK),
                reference=donation.ledger_reference,
            )
            Donation.objects.filter(pk=donation.pk).update(matched_amount=F("matched_amount") - taken)
            Fundraiser.objects.filter(pk=self.pk).update(matching_total=F("matching_total") - taken)


class Sponsor(models.Model):
    """A company or foundation behind a box: participation gifts and/or matching, each with a cap."""

    box = models.ForeignKey(Fundraiser, on_delete=models.CASCADE, related_name="sponsors")
    name = models.CharField(_("후원 기관"), max_length=100)
    participation_amount = models.PositiveIntegerField(_("참여 1회당 기부(원)"), default=100)
    participation_cap = models.PositiveBigIntegerField(_("참여 기부 한도(원)"), default=0)
    participation_given = models.PositiveBigIntegerField(_("참여 기부 누적(원)"), default=0, editable=False)
    matching_cap = models.PositiveBigIntegerField(_("매칭 기부 한도(원)"), default=0)
    matching_given = models.PositiveBigIntegerField(_("매칭 기부 누적(원)"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("후원 기관")
        verbose_name_plural = pgettext_lazy("plural", "후원 기관")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participation_given__lte=F("participation_cap")), name="participation_within_cap"
            ),
            models.CheckConstraint(condition=Q(matching_given__lte=F("matching_cap")), name="matching_within_cap"),
        ]

    def __str__(self):
        return self.name


class ParticipationAction(models.TextChoices):
    CHEER = "cheer", _("응원")
    SHARE = "share", _("공유")
    COMMENT = "comment", _("댓글")


class Participation(models.Model):
    """A neighbour cheered, shared or commented; `amount` is what a sponsor gave for it (0 if none)."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    box = models.ForeignKey(Fundraiser, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    phone_key = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=ParticipationAction.choices)
    sponsor = models.ForeignKey(Sponsor, null=True, blank=True, on_delete=models.PROTECT, related_name="participations")
    amount = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("참여")
        verbose_name_plural = pgettext_lazy("plural", "참여")
        constraints = [
            models.UniqueConstraint(fields=["box", "phone_key", "action"], name="one_participation_per_action")
        ]

    def __str__(self):
        return f"{self.box} {self.get_action_display()} {won(self.amount)}"


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("결제 대기")
    PAID = "paid", _("기부 완료")
    CANCELED = "canceled", _("결제 안 됨")
    PARTIALLY_REFUNDED = "partially_refunded", _("일부 환불")
    REFUNDED = "refunded", _("환불 완료")


# A gift that was paid and not wholly given back.
SETTLED = (DonationStatus.PAID, DonationStatus.PARTIALLY_REFUNDED)


class DonationQuerySet(models.QuerySet):
    def settled(self):
        return self.filter(status__in=SETTLED)

    def awaiting_payment(self):
        return self.filter(status=DonationStatus.PENDING)

    def started(self):
        """Everything but gifts still waiting for payment: what a donor's own list shows."""
        return self.exclude(status=DonationStatus.PENDING)


class Donation(models.Model):
    """A neighbour's direct gift, paid through a payment provider."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    box = models.ForeignKey(Fundraiser, on_delete=models.PROTECT, related_name="donations")
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="together_donations"
    )
    amount = models.PositiveBigIntegerField(_("금액(원)"))
    anonymous = models.BooleanField(_("익명으로 기부"), default=False)
    donor_label = models.CharField(_("표시 이름"), max_length=50, blank=True)
    message = models.CharField(_("응원 한마디"), max_length=MAX_MESSAGE, blank=True)
    status = models.CharField(max_length=20, choices=DonationStatus.choices, default=DonationStatus.PENDING)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    matched_amount = models.PositiveBigIntegerField(default=0)
    payment = models.OneToOneField("payments.Payment", on_delete=models.PROTECT, related_name="donation")
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("기부")
        verbose_name_plural = pgettext_lazy("plural", "기부")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(refunded_amount__lte=F("amount")), name="refund_within_gift")]
        indexes = [models.Index(fields=["box", "status"])]

    def __str__(self):
        return f"{self.box} {won(self.amount)} {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("together:donation", args=[self.public_id])

    @property
    def public_name(self):
        # Lazy, so a record keeps it in the site's language (`as_recorded`) and a page shows the reader's.
        return _("익명") if self.anonymous else self.donor_label or _("이웃")

    @property
    def net_amount(self):
        return self.amount - self.refunded_amount

    @property
    def is_settled(self):
        return self.status in SETTLED

    @property
    def ledger_reference(self):
        return f"donation:{self.public_id}"

    def ledger_line(self):
        """The gift's own line in the public ledger (matching and refunds have lines of their own)."""
        return Entry.objects.filter(kind="donation", reference=self.ledger_reference).first()

    def credit(self, *, now=None):
        """Count a paid gift, once: box total, ledger line, sponsor matching and the cheer message,
        all in the caller's transaction (the one that marks the payment paid)."""
        now = now or timezone.now()
        box = self.box._lock()
        if not Donation.objects.filter(pk=self.pk, status=DonationStatus.PENDING).update(
            status=DonationStatus.PAID, paid_at=now
        ):
            return False
        if box.status not in (BoxStatus.OPEN, BoxStatus.CLOSED):
            raise Refused(gettext("모금액 전달이 끝난 모금함이라 기부를 받을 수 없습니다."))
        Fundraiser.objects.filter(pk=box.pk).update(direct_total=F("direct_total") + self.amount)
        Entry.append(
            book=box.book,
            kind="donation",
            amount=self.amount,
            memo=as_recorded(Memo.DIRECT),
            reference=self.ledger_reference,
        )
        box._match(self, now=now)
        if self.message:
            Comment.objects.create(
                box=box,
                author=self.donor,
                author_label=as_recorded(self.public_name),
                body=self.message,
                donation=self,
                created_at=now,
            )
        self.refresh_from_db()
        return True

    def cancel_unpaid(self):
        return (
            Donation.objects.filter(pk=self.pk, status=DonationStatus.PENDING).update(status=DonationStatus.CANCELED)
            == 1
        )

    def record_refund(self, *, amount, now=None):
        """Inside the refund's transaction: take the gift (and its matching) back out of the box."""
        now = now or timezone.now()
        box = self.box._lock()
        donation = Donation.objects.select_for_update().get(pk=self.pk)
        if not donation.is_settled or amount > donation.net_amount:
            raise Refused(gettext("환불할 수 없는 기부입니다."))
        donation.refunded_amount += amount
        donation.status = (
            DonationStatus.REFUNDED
            if donation.refunded_amount == donation.amount
            else DonationStatus.PARTIALLY_REFUNDED
        )
        donation.save(update_fields=["refunded_amount", "status"])
        Fundraiser.objects.filter(pk=box.pk).update(direct_total=F("direct_total") - amount)
        Entry.append(
            book=box.book,
            kind="refund",
            amount=-amount,
            memo=as_recorded(Memo.REFUND),
            reference=self.ledger_reference,
        )
        excess = donation.matched_amount - donation.net_amount
        if excess > 0:
            box._unmatch(donation, excess=excess, now=now)
        if donation.status == DonationStatus.REFUNDED:
            Comment.objects.filter(donation=donation).update(moderation=Moderation.REMOVED, moderated_at=now)
        self.refresh_from_db()


class MatchingGift(models.Model):
    """What a sponsor added to one donation (negative when a refund takes it back)."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="matching_gifts")
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="matching_gifts")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("매칭 기부")
        verbose_name_plural = pgettext_lazy("plural", "매칭 기부")

    def __str__(self):
        return f"{self.sponsor} {won(self.amount, sign='+')}"


class Comment(Reportable):
    """A neighbour's comment on a box, or a donor's cheer message."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    box = models.ForeignKey(Fundraiser, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=50)
    body = models.TextField(max_length=MAX_COMMENT)
    donation = models.OneToOneField(Donation, null=True, blank=True, on_delete=models.CASCADE, related_name="comment")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReportableQuerySet.as_manager()

    class Meta:
        verbose_name = _("댓글")
        verbose_name_plural = pgettext_lazy("plural", "댓글")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self):
        return self.body[:40]
