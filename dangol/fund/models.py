from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangol.lib.ids import new_public_id

MAX_YEARS = 20


class FundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(is_public=True)


class Fund(models.Model):
    """A co-prosperity fund (상생기금): money committed to areas, year by year."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    name = models.CharField(gettext_lazy("기금 이름"), max_length=80)
    description = models.TextField(gettext_lazy("소개"), max_length=2000, blank=True)
    first_year = models.PositiveSmallIntegerField(gettext_lazy("첫해"))
    years = models.PositiveSmallIntegerField(gettext_lazy("기간(년)"), default=5)
    is_public = models.BooleanField(gettext_lazy("공개"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("상생기금")
        verbose_name_plural = gettext_lazy("상생기금")
        ordering = ["-first_year", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(years__gte=1, years__lte=MAX_YEARS), name="fund_years_in_range"),
            models.CheckConstraint(condition=Q(first_year__gte=2000, first_year__lte=2100), name="fund_first_year"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fund:report", args=[self.public_id])

    @property
    def last_year(self):
        return self.first_year + self.years - 1

    @property
    def year_list(self):
        return list(range(self.first_year, self.last_year + 1))

    def covers(self, year):
        return self.first_year <= year <= self.last_year

    def committed_by_area_and_year(self):
        """{(area_id, year): won committed}."""
        rows = Commitment.objects.filter(area__fund=self).values_list("area_id", "year").annotate(total=Sum("amount"))
        return {(area_id, year): total for area_id, year, total in rows}

    def disbursed_by_area_and_year(self):
        """{(area_id, year): won paid out}, the year being the payment date's."""
        rows = (
            Disbursement.objects.filter(program__area__fund=self)
            .annotate(year=ExtractYear("paid_on"))
            .values_list("program__area_id", "year")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        return {(area_id, year): total for area_id, year, total in rows}


class Area(models.Model):
    """One of the fund's areas (분야), e.g. 디지털 전환 or 안전·화재 예방."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="areas", verbose_name=gettext_lazy("기금"))
    name = models.CharField(gettext_lazy("분야"), max_length=40)
    description = models.TextField(gettext_lazy("설명"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(gettext_lazy("순서"), default=0)

    class Meta:
        verbose_name = gettext_lazy("지원 분야")
        verbose_name_plural = gettext_lazy("지원 분야")
        ordering = ["fund", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["fund", "name"], name="one_area_name_per_fund")]

    def __str__(self):
        return f"{self.fund} · {self.name}"


class Commitment(models.Model):
    """Money the fund commits to an area for one year (약정)."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="commitments", verbose_name=gettext_lazy("분야")
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("연도"))
    amount = models.PositiveBigIntegerField(gettext_lazy("약정액(원)"))

    class Meta:
        verbose_name = gettext_lazy("연도별 약정")
        verbose_name_plural = gettext_lazy("연도별 약정")
        ordering = ["area", "year"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="one_commitment_per_area_year")]

    def __str__(self):
        return _("{area} {year}: {amount}원").format(area=self.area.name, year=self.year, amount=f"{self.amount:,}")

    def clean(self):
        if self.area_id and self.year and not self.area.fund.covers(self.year):
            fund = self.area.fund
            raise ValidationError(
                {
                    "year": _("이 기금의 기간은 {first}년부터 {last}년까지입니다.").format(
                        first=fund.first_year, last=fund.last_year
                    )
                }
            )

    def disbursed(self):
        return Disbursement.objects.filter(program__area_id=self.area_id, paid_on__year=self.year).aggregate(
            total=Sum("amount", default=0)
        )["total"]


class KpiSource(models.TextChoices):
    NONE = "", gettext_lazy("없음")
    MARKET = "market", gettext_lazy("단골 이용 (가게 채널·단골·메시지·쿠폰 사용)")


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_staff:
            return self
        return self.filter(is_public=True, area__fund__is_public=True)


class Program(models.Model):
    """Work the fund pays for under an area; may show KPIs taken live from Dangol."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="programs", verbose_name=gettext_lazy("분야"))
    name = models.CharField(gettext_lazy("사업 이름"), max_length=80)
    description = models.TextField(gettext_lazy("사업 내용"), max_length=3000, blank=True)
    budget = models.PositiveBigIntegerField(gettext_lazy("계획 예산(원)"), default=0)
    kpi_source = models.CharField(
        gettext_lazy("성과 지표"), max_length=20, choices=KpiSource.choices, default="", blank=True
    )
    market = models.ForeignKey(
        "markets.Market",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("대상 시장"),
        help_text=gettext_lazy("비우면 단골 전체를 셉니다."),
    )
    starts_on = models.DateField(
        gettext_lazy("시작일"), null=True, blank=True, help_text=gettext_lazy("성과 지표는 이날부터 셉니다.")
    )
    ends_on = models.DateField(gettext_lazy("종료일"), null=True, blank=True)
    is_public = models.BooleanField(gettext_lazy("공개"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("사업")
        verbose_name_plural = gettext_lazy("사업")
        ordering = ["area", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="program_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fund:program", args=[self.public_id])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("종료일은 시작일보다 앞설 수 없습니다.")})

    def disbursed(self):
        return self.disbursements.aggregate(total=Sum("amount", default=0))["total"]


class Disbursement(models.Model):
    """Money paid out to a program; each one is also a line in the public ledger's "fund" book.

    Written only by services.disbursement_record, never changed afterwards.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="disbursements", verbose_name=gettext_lazy("사업")
    )
    amount = models.PositiveBigIntegerField(gettext_lazy("집행액(원)"))
    paid_on = models.DateField(gettext_lazy("집행일"))
    recipient = models.CharField(
        gettext_lazy("받은 곳"),
        max_length=80,
        help_text=gettext_lazy("기관·단체 이름. 개인의 이름이나 번호는 쓰지 마세요."),
    )
    memo = models.CharField(gettext_lazy("내용"), max_length=120, blank=True)
    ledger_entry = models.OneToOneField(
        "ledger.Entry",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=gettext_lazy("장부 기록"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("집행")
        verbose_name_plural = gettext_lazy("집행")
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive")]

    def __str__(self):
        return _("{program} {amount}원 ({day})").format(
            program=self.program, amount=f"{self.amount:,}", day=self.paid_on
        )
