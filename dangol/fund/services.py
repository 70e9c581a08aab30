import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from dangol.channels import kpis as channel_kpis
from dangol.coupons import kpis as coupon_kpis
from dangol.ledger.models import Entry
from dangol.lib.seoul import seoul_midnight, seoul_today
from dangol.messaging import kpis as message_kpis

from .models import Commitment, Disbursement, KpiSource
from .reports import korean_won

LEDGER_BOOK = "fund"
LEDGER_KIND = "disbursement"


def disbursement_check(*, program, amount, paid_on, recipient, memo=""):
    """{field: message} for a disbursement that can't be recorded as given; {} when it can (for now)."""
    errors = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = _("집행액은 1원 이상의 정수(원)로 입력해 주세요.")
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = _("집행일을 입력해 주세요.")
    else:
        fund = program.area.fund
        if not fund.covers(paid_on.year):
            errors["paid_on"] = _("집행일은 기금 기간({first}년~{last}년) 안이어야 합니다.").format(
                first=fund.first_year, last=fund.last_year
            )
        elif paid_on > seoul_today():
            errors["paid_on"] = _("아직 오지 않은 날짜입니다. 실제로 집행한 날을 입력해 주세요.")
    if not (recipient or "").strip():
        errors["recipient"] = _("받은 곳(기관·단체 이름)을 입력해 주세요.")
    elif len(recipient.strip()) > Disbursement._meta.get_field("recipient").max_length:
        errors["recipient"] = _("받은 곳은 80자까지 쓸 수 있습니다.")
    if len((memo or "").strip()) > Disbursement._meta.get_field("memo").max_length:
        errors["memo"] = _("내용은 120자까지 쓸 수 있습니다.")
    if not errors:
        errors = _commitment_errors(program.area, paid_on.year, amount)
    return errors


def _commitment_errors(area, year, amount, *, lock=False):
    commitments = Commitment.objects.select_for_update() if lock else Commitment.objects
    commitment = commitments.filter(area=area, year=year).first()
    if commitment is None:
        return {"paid_on": _("{area} 분야에는 {year}년 약정이 없습니다.").format(area=area.name, year=year)}
    left = commitment.amount - commitment.disbursed()
    if amount > left:
        return {
            "amount": _("{area} 분야의 {year}년 약정에서 남은 돈은 {left}입니다.").format(
                area=area.name, year=year, left=korean_won(left)
            )
        }
    return {}


def disbursement_record(*, program, amount, paid_on, recipient, memo="", by=None):
    """Pay `amount` won to `program`, written together with its line in the public ledger ("fund" book).

    Refused with ValidationError, writing nothing, for bad input or when the area's commitment for
    the year of `paid_on` has less left than `amount`.
    """
    errors = disbursement_check(program=program, amount=amount, paid_on=paid_on, recipient=recipient, memo=memo)
    if errors:
        raise ValidationError(errors)
    area = program.area
    with transaction.atomic():
        # Checked again holding the commitment row: two payments can't both spend what's left.
        errors = _commitment_errors(area, paid_on.year, amount, lock=True)
        if errors:
            raise ValidationError(errors)
        disbursement = Disbursement(
            program=program,
            amount=amount,
            paid_on=paid_on,
            recipient=recipient.strip(),
            memo=(memo or "").strip(),
            created_by=by,
        )
        public_memo = " · ".join((area.name, program.name, disbursement.recipient))
        disbursement.ledger_entry = Entry.append(
            book=LEDGER_BOOK,
            kind=LEDGER_KIND,
            amount=-amount,
            memo=public_memo[:200],
            reference=f"disbursement:{disbursement.public_id}",
        )
        disbursement.save()
    return disbursement


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    value: int | None
    note: str = ""

    @property
    def available(self):
        return self.value is not None


def program_kpis(*, program):
    """The program's KPIs, counted live by the apps that own each figure ([] for a program without KPIs).

    Counted within the program's market (all markets when none is set) and from its start
    date to its end date, Seoul days, when those are set.
    """
    if program.kpi_source != KpiSource.MARKET:
        return []
    where = {"market": program.market_id, **_period(program)}
    stores, followers = channel_kpis.stores_opened(**where), channel_kpis.followers_gained(**where)
    messages, redemptions = message_kpis.messages_sent(**where), coupon_kpis.coupons_redeemed(**where)
    return [
        Kpi("stores", _("단골 채널을 연 가게"), npgettext("unit of stores", "곳", "곳", stores or 0), stores),
        Kpi(
            "followers",
            _("단골 (지금 맺고 있는 관계)"),
            npgettext("unit of people", "명", "명", followers or 0),
            followers,
        ),
        Kpi(
            "messages",
            _("가게가 단골에게 보낸 소식"),
            npgettext("unit of messages", "건", "건", messages or 0),
            messages,
        ),
        Kpi("redemptions", _("쿠폰 사용"), npgettext("unit of redemptions", "건", "건", redemptions or 0), redemptions),
    ]


def _period(program):
    """From 00:00 in Seoul on the program's first day to 00:00 after its last; open where a date isn't set."""
    starts, ends = program.starts_on, program.ends_on
    return {
        "since": seoul_midnight(starts) if starts else None,
        "before": seoul_midnight(ends + dt.timedelta(days=1)) if ends else None,
    }
