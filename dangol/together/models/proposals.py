import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.ids import new_public_id

from ..roles import is_moderator
from .base import (
    AlreadyDone,
    Moderation,
    Refused,
    Reportable,
    ReportableQuerySet,
    Rules,
    collect_text,
    phone_key,
)
from .limits import take_agreement, take_photos, take_proposal

MAX_TITLE = 80
MAX_BENEFICIARY = 100
MAX_PERIOD_DAYS = 90
MIN_GOAL = 10_000
MAX_GOAL = 1_000_000_000
MAX_IMAGES = 5
MAX_STORY = 5000
MAX_NOTE = 2000  # a reviewer's note on one criterion, or a rejection reason


class Category(models.TextChoices):
    DISASTER = "disaster", _("화재·재난 복구")
    NEIGHBOUR = "neighbour", _("어려운 이웃 돕기")
    MARKET = "market", _("시장 살리기")
    COMMUNITY = "community", _("마을 공동체")
    ENVIRONMENT = "environment", _("환경")
    OTHER = "other", _("기타")


class ProposalStatus(models.TextChoices):
    AGREEING = "agreeing", _("동의 모으는 중")
    REVIEW = "review", _("심사 중")
    APPROVED = "approved", _("승인 · 모금함 열림")
    REJECTED = "rejected", _("반려")
    CLOSED = "closed", _("동의 기간 마감")


class Criterion(models.TextChoices):
    """What a reviewer (심사기관) weighs, each with a written note."""

    PUBLIC_INTEREST = "public_interest", _("공익성")
    CREDIBILITY = "credibility", _("신뢰성")
    CAPABILITY = "capability", _("수행능력")
    SPECIFICITY = "specificity", _("구체성")


class ProposalQuerySet(ReportableQuerySet):
    def visible_to(self, user):
        """Public and hidden proposals for everyone; a removed one only for its proposer and moderators."""
        if is_moderator(user):
            return self
        shown = ~models.Q(moderation=Moderation.REMOVED)
        if user.is_authenticated:
            shown |= models.Q(proposer=user)
        return self.filter(shown)

    def gathering(self):
        """What the public list shows by default: gathering agreements or in review."""
        return self.filter(status__in=[ProposalStatus.AGREEING, ProposalStatus.REVIEW])

    def in_review(self):
        return self.filter(status=ProposalStatus.REVIEW).order_by("review_started_at")

    def agreeing(self, *, now=None):
        return self.filter(status=ProposalStatus.AGREEING, agree_until__gt=now or timezone.now())

    def close_expired(self, *, now=None):
        """Proposals that missed their window close (the scheduler calls this; pages also show it at once)."""
        now = now or timezone.now()
        closed = 0
        for pk in self.filter(status=ProposalStatus.AGREEING, agree_until__lte=now).values_list("pk", flat=True):
            with transaction.atomic():
                if self.model.objects.filter(pk=pk, status=ProposalStatus.AGREEING, agree_until__lte=now).update(
                    status=ProposalStatus.CLOSED, closed_at=now
                ):
                    ProposalEvent.objects.create(proposal_id=pk, kind=EventKind.CLOSED, created_at=now)
                    closed += 1
        return closed


class Proposal(Reportable):
    """A cause neighbours propose; enough agreements in time send it to review."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="together_proposals"
    )
    title = models.CharField(_("제목"), max_length=MAX_TITLE)
    story = models.TextField(_("사연"), max_length=MAX_STORY)
    beneficiary = models.CharField(
        _("수혜 단체"), max_length=MAX_BENEFICIARY, help_text=_("모금액을 받아 쓰는 단체 이름")
    )
    goal = models.PositiveBigIntegerField(_("목표 금액(원)"))
    period_days = models.PositiveSmallIntegerField(_("모금 기간(일)"))
    category = models.CharField(_("분야"), max_length=20, choices=Category.choices)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.AGREEING)
    threshold = models.PositiveIntegerField(_("필요한 동의 수"))
    agree_until = models.DateTimeField(_("동의 마감"))
    agreement_count = models.PositiveIntegerField(_("동의 수"), default=0)
    review_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("제안")
        verbose_name_plural = pgettext_lazy("plural", "제안")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "agree_until"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("together:proposal", args=[self.public_id])

    @classmethod
    def propose(cls, *, proposer, title, story, beneficiary, goal, period_days, category, images=(), now=None):
        """Validate and save a proposal with its pictures (already cleaned); ValidationError writes nothing.
        A person makes at most `proposals_per_day()` proposals and uploads `photos_per_day()` photos a day."""
        now = now or timezone.now()
        errors = {}
        title = collect_text(
            errors,
            title,
            field="title",
            max_length=MAX_TITLE,
            label=gettext("제목"),
            blank=gettext("제목을 적어 주세요."),
        )
        story = collect_text(
            errors,
            story,
            field="story",
            max_length=MAX_STORY,
            label=gettext("사연"),
            blank=gettext("어떤 일인지 사연을 적어 주세요."),
        )
        beneficiary = collect_text(
            errors,
            beneficiary,
            field="beneficiary",
            max_length=MAX_BENEFICIARY,
            label=gettext("수혜 단체"),
            blank=gettext("모금액을 받을 단체를 적어 주세요."),
        )
        if isinstance(goal, bool) or not isinstance(goal, int) or not MIN_GOAL <= goal <= MAX_GOAL:
            errors["goal"] = gettext("목표 금액은 {lo:,}원부터 {hi:,}원까지입니다.").format(lo=MIN_GOAL, hi=MAX_GOAL)
        if isinstance(period_days, bool) or not isinstance(period_days, int) or not 1 <= period_days <= MAX_PERIOD_DAYS:
            errors["period_days"] = gettext("모금 기간은 1일부터 {n}일까지입니다.").format(n=MAX_PERIOD_DAYS)
        if category not in Category.values:
            errors["category"] = gettext("분야를 골라 주세요.")
        if len(images) > MAX_IMAGES:
            errors["images"] = gettext("사진은 {n}장까지 올릴 수 있습니다.").format(n=MAX_IMAGES)
        if errors:
            raise ValidationError(errors)
        rules = Rules.current()
        with transaction.atomic():
            # Per phone number, so a re-created account starts where the person left off.
            take_proposal(proposer, now=now)
            take_photos(proposer, len(images), now=now, field="images")
            proposal = cls.objects.create(
                proposer=proposer,
                title=title,
                story=story,
                beneficiary=beneficiary,
                goal=goal,
                period_days=period_days,
                category=category,
                threshold=rules.agreement_threshold,
                agree_until=now + dt.timedelta(days=rules.agreement_window_days),
                created_at=now,
            )
            for position, image in enumerate(images):
                picture = ProposalImage(proposal=proposal, position=position)
                picture.image.save(image.name, image, save=False)
                picture.save()
            ProposalEvent.objects.create(proposal=proposal, kind=EventKind.PROPOSED, actor=proposer, created_at=now)
        return proposal

    def shown_status(self, now=None):
        """What neighbours see: a proposal past its window reads as closed even before the scheduler runs."""
        if self.status == ProposalStatus.AGREEING and (now or timezone.now()) >= self.agree_until:
            return ProposalStatus.CLOSED
        return ProposalStatus(self.status)

    @property
    def agreement_percent(self):
        return min(100, self.agreement_count * 100 // max(self.threshold, 1))

    def is_proposer(self, user):
        return user.is_authenticated and self.proposer_id == user.pk

    def has_agreed(self, user):
        return user.is_authenticated and self.agreements.filter(phone_key=phone_key(user.phone)).exists()

    def agree(self, *, user, now=None):
        """One agreement per verified phone number, at most `agreements_per_hour` a clock hour.
        The agreement that reaches the threshold sends the proposal to review; the row lock makes
        that happen exactly once."""
        now = now or timezone.now()
        rules = Rules.current()
        key = phone_key(user.phone)
        with transaction.atomic():
            proposal = Proposal.objects.select_for_update().get(pk=self.pk)
            expired = proposal.shown_status(now) == ProposalStatus.CLOSED
            if not proposal.is_public:
                raise Refused(gettext("신고가 많아 운영진이 확인하는 제안입니다. 지금은 동의할 수 없습니다."))
            if not expired and proposal.status not in (ProposalStatus.AGREEING, ProposalStatus.REVIEW):
                raise Refused(
                    gettext("동의를 받지 않는 제안입니다. ({status})").format(status=proposal.get_status_display())
                )
            if not expired:
                if proposal.agreements.filter(phone_key=key).exists():
                    raise AlreadyDone(gettext("이미 동의했습니다. 휴대폰 번호 하나로 한 번만 동의할 수 있습니다."))
                take_agreement(user, limit=rules.agreements_per_hour, now=now)
                agreement = Agreement.objects.create(proposal=proposal, user=user, phone_key=key, created_at=now)
                proposal.agreement_count += 1
                if proposal.status == ProposalStatus.AGREEING and proposal.agreement_count >= proposal.threshold:
                    proposal.status, proposal.review_started_at = ProposalStatus.REVIEW, now
                    ProposalEvent.objects.create(proposal=proposal, kind=EventKind.REVIEW_OPENED, created_at=now)
                proposal.save(update_fields=["agreement_count", "status", "review_started_at"])
        if expired:
            Proposal.objects.filter(pk=self.pk).close_expired(now=now)
            self.refresh_from_db()
            raise Refused(gettext("동의 기간이 끝났습니다."))
        self.agreement_count, self.status, self.review_started_at = (
            proposal.agreement_count,
            proposal.status,
            proposal.review_started_at,
        )
        return agreement

    def _lock_for_review(self, *, by):
        proposal = Proposal.objects.select_for_update().get(pk=self.pk)
        if proposal.status != ProposalStatus.REVIEW:
            raise Refused(gettext("심사 중인 제안이 아닙니다. ({status})").format(status=proposal.get_status_display()))
        if proposal.proposer_id == by.pk:
            raise Refused(gettext("자기 제안은 심사할 수 없습니다."))
        return proposal

    def approve(self, *, by, notes, now=None):
        """Approve against the four criteria (a note for each) and open the fundraising box."""
        from .boxes import Fundraiser

        now = now or timezone.now()
        errors = {}
        notes = {
            c: collect_text(
                errors,
                notes.get(c),
                field=c,
                max_length=MAX_NOTE,
                label=Criterion(c).label,
                blank=gettext("{label}에 대한 심사 의견을 적어 주세요.").format(label=Criterion(c).label),
            )
            for c in Criterion.values
        }
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            proposal = self._lock_for_review(by=by)
            Review.objects.create(proposal=proposal, reviewer=by, approved=True, decided_at=now, **notes)
            proposal.status = ProposalStatus.APPROVED
            proposal.save(update_fields=["status"])
            box = Fundraiser.open_for(proposal, now=now)
            ProposalEvent.objects.create(proposal=proposal, kind=EventKind.APPROVED, actor=by, created_at=now)
        self.status = proposal.status
        return box

    def reject(self, *, by, reason, now=None):
        """Reject with a reason the proposer sees."""
        now = now or timezone.now()
        errors = {}
        reason = collect_text(
            errors,
            reason,
            field="reason",
            max_length=MAX_NOTE,
            label=gettext("반려 사유"),
            blank=gettext("반려 사유를 적어 주세요. 제안한 분께 그대로 보입니다."),
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            proposal = self._lock_for_review(by=by)
            Review.objects.create(proposal=proposal, reviewer=by, approved=False, reason=reason, decided_at=now)
            proposal.status, proposal.closed_at = ProposalStatus.REJECTED, now
            proposal.save(update_fields=["status", "closed_at"])
            ProposalEvent.objects.create(proposal=proposal, kind=EventKind.REJECTED, actor=by, created_at=now)
        self.status = proposal.status


class ProposalImage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="together/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("제안 사진")
        verbose_name_plural = pgettext_lazy("plural", "제안 사진")
        ordering = ["position"]

    def __str__(self):
        return f"{self.proposal} #{self.position + 1}"


class Agreement(models.Model):
    """One neighbour agrees. Keyed on the verified phone number (hashed), not the account."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="agreements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="together_agreements"
    )
    phone_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("동의")
        verbose_name_plural = pgettext_lazy("plural", "동의")
        constraints = [models.UniqueConstraint(fields=["proposal", "phone_key"], name="one_agreement_per_phone")]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.proposal} ← {self.created_at:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("event", "제안")
    REVIEW_OPENED = "review_opened", _("동의 달성 · 심사 시작")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")
    CLOSED = "closed", _("동의 기간 마감")


class ProposalEvent(models.Model):
    """The proposal's audit trail: what happened, when, by whom."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("제안 기록")
        verbose_name_plural = pgettext_lazy("plural", "제안 기록")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.proposal} {self.get_kind_display()}"


class Review(models.Model):
    """The reviewer's decision: a note on each criterion when approved, a reason when rejected."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved = models.BooleanField()
    public_interest = models.TextField(_("공익성"), blank=True)
    credibility = models.TextField(_("신뢰성"), blank=True)
    capability = models.TextField(_("수행능력"), blank=True)
    specificity = models.TextField(_("구체성"), blank=True)
    reason = models.TextField(_("반려 사유"), blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("심사")
        verbose_name_plural = pgettext_lazy("plural", "심사")

    def __str__(self):
        return f"{self.proposal} {gettext('승인') if self.approved else gettext('반려')}"

    def notes(self):
        return [(Criterion(c).label, getattr(self, c)) for c in Criterion.values]
