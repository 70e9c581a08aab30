"""After the box closes: an adjusted plan, its approval, the payout, and the usage report (모금후기)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.ledger.models import Entry
from dangol.lib.ids import new_public_id

from .base import Refused, Rules, as_recorded, collect_text, won
from .boxes import BoxStatus, Fundraiser, Memo
from .limits import take_photos
from .proposals import MAX_NOTE

MAX_PLAN = 5000
MAX_EXPENSES = 100
MAX_EXPENSE_DESCRIPTION = 200
MAX_PAYOUT_NOTE = 200


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("심사 중")
    APPROVED = "approved", _("승인")
    RETURNED = "returned", _("보완 요청")


class PayoutPlanQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=PlanStatus.SUBMITTED)


class PayoutPlan(models.Model):
    """How the team will use what was actually raised, approved by a reviewer before the payout."""

    box = models.OneToOneField(Fundraiser, on_delete=models.CASCADE, related_name="plan")
    body = models.TextField(_("집행 계획"), max_length=MAX_PLAN)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED)
    note = models.TextField(_("심사 의견"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = PayoutPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("집행 계획")
        verbose_name_plural = pgettext_lazy("plural", "집행 계획")

    def __str__(self):
        return f"{self.box} {self.get_status_display()}"

    @classmethod
    def submit(cls, *, box, by, body, now=None):
        now = now or timezone.now()
        errors = {}
        body = collect_text(
            errors,
            body,
            field="body",
            max_length=MAX_PLAN,
            label=gettext("집행 계획"),
            blank=gettext("모인 금액을 어떻게 쓸지 계획을 적어 주세요."),
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            locked = box._lock()
            if not locked.is_team(by):
                raise Refused(gettext("제안한 분만 계획을 낼 수 있습니다."))
            if locked.shown_status(now) != BoxStatus.CLOSED:
                raise Refused(gettext("모금이 끝난 뒤에 집행 계획을 낼 수 있습니다."))
            plan = cls.objects.filter(box=locked).first()
            if plan is not None and plan.status == PlanStatus.APPROVED:
                raise Refused(gettext("이미 승인된 계획입니다."))
            plan = plan or cls(box=locked)
            plan.body, plan.status, plan.submitted_at, plan.note = body, PlanStatus.SUBMITTED, now, ""
            plan.decided_at = plan.decided_by = None
            plan.save()
        return plan

    def decide(self, *, by, approve, note="", now=None):
        """A reviewer approves the plan, or sends it back with a note."""
        errors = {}
        note = collect_text(
            errors,
            note,
            field="note",
            max_length=MAX_NOTE,
            label=gettext("심사 의견"),
            blank=gettext("보완할 점을 적어 주세요. 제안한 분께 보입니다."),
            required=not approve,
        )
        if errors:
            raise ValidationError(errors)
        if self.box.is_team(by):
            raise Refused(gettext("자기 모금함의 계획은 심사할 수 없습니다."))
        changed = PayoutPlan.objects.filter(pk=self.pk, status=PlanStatus.SUBMITTED).update(
            status=PlanStatus.APPROVED if approve else PlanStatus.RETURNED,
            note=note,
            decided_by=by,
            decided_at=now or timezone.now(),
        )
        if not changed:
            raise Refused(gettext("심사할 계획이 없습니다."))
        self.refresh_from_db()


class Payout(models.Model):
    """The raised money handed to the team: recorded once, from the box's own totals."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    box = models.OneToOneField(Fundraiser, on_delete=models.PROTECT, related_name="payout")
    amount = models.PositiveBigIntegerField(_("전달 금액(원)"))
    note = models.CharField(_("이체 기록 (내부용)"), max_length=MAX_PAYOUT_NOTE, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paid_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("모금액 전달")
        verbose_name_plural = pgettext_lazy("plural", "모금액 전달")

    def __str__(self):
        return f"{self.box} {won(self.amount)}"

    @classmethod
    def record(cls, *, box, by, note="", now=None):
        from dangol.payments.models import RefundStatus

        now = now or timezone.now()
        errors = {}
        note = collect_text(
            errors, note, field="note", max_length=MAX_PAYOUT_NOTE, label=gettext("이체 기록"), required=False
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            locked = box._lock()
            if locked.shown_status(now) != BoxStatus.CLOSED:
                raise Refused(gettext("모금이 끝났고 아직 전달하지 않은 모금함만 전달할 수 있습니다."))
            if not PayoutPlan.objects.filter(box=locked, status=PlanStatus.APPROVED).exists():
                raise Refused(gettext("집행 계획이 승인된 뒤에 전달할 수 있습니다."))
            if locked.is_team(by):
                raise Refused(gettext("자기 모금함의 전달은 기록할 수 없습니다."))
            busy = (
                locked.donations.awaiting_payment().exists()
                or locked.donations.filter(payment__refunds__status=RefundStatus.REQUESTED).exists()
            )
            if busy:
                raise Refused(gettext("결제나 환불을 처리 중인 기부가 있습니다. 잠시 뒤에 다시 해 주세요."))
            if locked.total <= 0:
                raise Refused(gettext("모인 금액이 없습니다."))
            payout = cls.objects.create(box=locked, amount=locked.total, note=note, recorded_by=by, paid_at=now)
            due = now + dt.timedelta(days=Rules.current().usage_report_days)
            Fundraiser.objects.filter(pk=locked.pk).update(
                status=BoxStatus.PAID_OUT, closed_at=locked.closed_at or locked.ends_at, report_due_at=due
            )
            reference = f"payout:{payout.public_id}"
            Entry.append(
                book=locked.book,
                kind="payout",
                amount=-payout.amount,
                memo=as_recorded(Memo.PAYOUT),
                reference=reference,
            )
            Entry.append(
                book=locked.usage_book,
                kind="payout",
                amount=payout.amount,
                memo=as_recorded(Memo.PAYOUT_RECEIVED),
                reference=reference,
            )
            UsageReport.objects.create(box=locked)
        box.refresh_from_db()
        return payout


class UsageReport(models.Model):
    """모금후기: what the payout bought, item by item with receipts; it must add up to the payout."""

    box = models.OneToOneField(Fundraiser, on_delete=models.CASCADE, related_name="usage_report")
    body = models.TextField(_("후기"), max_length=MAX_PLAN, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("모금후기")
        verbose_name_plural = pgettext_lazy("plural", "모금후기")

    def __str__(self):
        return gettext("{box} 모금후기").format(box=self.box)

    @property
    def expense_total(self):
        return self.expenses.aggregate(n=Sum("amount"))["n"] or 0

    def _refuse_unless_draft(self, by):
        if not self.box.is_team(by):
            raise Refused(gettext("제안한 분만 모금후기를 쓸 수 있습니다."))
        if self.submitted_at is not None:
            raise Refused(gettext("이미 제출한 모금후기입니다."))

    def add_expense(self, *, by, description, amount, receipt):
        self._refuse_unless_draft(by)
        errors = {}
        description = collect_text(
            errors,
            description,
            field="description",
            max_length=MAX_EXPENSE_DESCRIPTION,
            label=gettext("지출 내용"),
            blank=gettext("어디에 썼는지 적어 주세요."),
        )
        payout = self.box.payout.amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            errors["amount"] = gettext("금액을 1원 이상으로 적어 주세요.")
        elif amount > payout:
            errors["amount"] = gettext("한 항목이 전달받은 금액 {n:,}원보다 클 수 없습니다.").format(n=payout)
        if receipt is None:
            errors["receipt"] = gettext("영수증 사진을 올려 주세요.")
        if self.expenses.count() >= MAX_EXPENSES:
            errors["description"] = gettext("지출 항목은 {n}개까지 넣을 수 있습니다.").format(n=MAX_EXPENSES)
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            take_photos(by, 1, now=timezone.now(), field="receipt")
            expense = Expense(report=self, description=description, amount=amount)
            expense.receipt.save(receipt.name, receipt, save=False)
            expense.save()
        return expense

    def remove_expense(self, *, by, expense):
        self._refuse_unless_draft(by)
        expense.delete()

    def submit(self, *, by, body, now=None):
        """Publish the report once the items add up to the payout exactly; each item goes in the ledger."""
        now = now or timezone.now()
        self._refuse_unless_draft(by)
        errors = {}
        body = collect_text(
            errors,
            body,
            field="body",
            max_length=MAX_PLAN,
            label=gettext("모금후기"),
            blank=gettext("모금액으로 무엇을 했는지 후기를 적어 주세요."),
        )
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            box = self.box._lock()
            report = UsageReport.objects.select_for_update().get(pk=self.pk)
            if report.submitted_at is not None:
                raise Refused(gettext("이미 제출한 모금후기입니다."))
            total, payout = report.expense_total, box.payout.amount
            if total != payout:
                raise ValidationError(
                    {
                        "__all__": gettext(
                            "지출 합계 {total:,}원이 전달받은 금액 {payout:,}원과 다릅니다. 차이: {diff:+,}원"
                        ).format(total=total, payout=payout, diff=total - payout)
                    }
                )
            for expense in report.expenses.order_by("pk"):
                Entry.append(
                    book=box.usage_book,
                    kind="expense",
                    amount=-expense.amount,
                    memo=expense.description[:200],
                    reference=f"expense:{expense.public_id}",
                )
            report.body, report.submitted_at = body, now
            report.save(update_fields=["body", "submitted_at"])
            Fundraiser.objects.filter(pk=box.pk).update(status=BoxStatus.REPORTED)
        self.refresh_from_db()


class Expense(models.Model):
    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="expenses")
    description = models.CharField(_("내용"), max_length=MAX_EXPENSE_DESCRIPTION)
    amount = models.PositiveBigIntegerField(_("금액(원)"))
    receipt = models.ImageField(_("영수증"), upload_to="together/receipts/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("지출 항목")
        verbose_name_plural = pgettext_lazy("plural", "지출 항목")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.description} {won(self.amount)}"
