import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Fund, Program
from .reports import fund_report
from .services import program_kpis

router = Router(tags=["fund"])


class FundOut(Schema):
    id: str
    name: str
    first_year: int
    last_year: int
    committed: int
    disbursed: int


class YearOut(Schema):
    year: int
    committed: int
    disbursed: int


class ProgramBrief(Schema):
    id: str
    name: str
    disbursed: int


class AreaOut(Schema):
    name: str
    committed: int
    disbursed: int
    years: list[YearOut]
    programs: list[ProgramBrief]


class FundReportOut(FundOut):
    description: str
    years: list[YearOut]
    areas: list[AreaOut]


class KpiOut(Schema):
    key: str
    label: str
    unit: str
    value: int | None
    note: str


class DisbursementOut(Schema):
    id: str
    amount: int
    paid_on: dt.date
    recipient: str
    memo: str
    ledger_seq: int
    ledger_hash: str


class FundProgramOut(Schema):
    id: str
    name: str
    description: str
    fund_id: str
    area: str
    budget: int
    disbursed: int
    kpis: list[KpiOut]
    disbursements: list[DisbursementOut]


def _report(request, fund):
    programs = list(Program.objects.visible_to(request.user).filter(area__fund=fund))
    return fund_report(fund, programs=programs)


def _fund(fund, report):
    return {
        "id": fund.public_id,
        "name": fund.name,
        "first_year": fund.first_year,
        "last_year": fund.last_year,
        "committed": report.committed,
        "disbursed": report.disbursed,
    }


def _years(cells):
    return [{"year": c.year, "committed": c.committed, "disbursed": c.disbursed} for c in cells]


@router.get("/funds", response=list[FundOut], summary="상생기금 목록과 약정·집행 합계")
def funds(request):
    return [_fund(fund, _report(request, fund)) for fund in Fund.objects.visible_to(request.user)]


@router.get("/funds/{fund_id}", response=FundReportOut, summary="기금 보고서: 분야별·연도별 약정과 집행")
def fund_detail(request, fund_id: str):
    fund = get_object_or_404(Fund.objects.visible_to(request.user), public_id=fund_id)
    report = _report(request, fund)
    return {
        **_fund(fund, report),
        "description": fund.description,
        "years": _years(report.years),
        "areas": [
            {
                "name": row.area.name,
                "committed": row.committed,
                "disbursed": row.disbursed,
                "years": _years(row.cells),
                "programs": [{"id": p.public_id, "name": p.name, "disbursed": p.disbursed_total} for p in row.programs],
            }
            for row in report.areas
        ],
    }


@router.get("/programs/{program_id}", response=FundProgramOut, summary="사업: 집행 내역과 실시간 성과 지표")
def program_detail(request, program_id: str):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).select_related("area__fund"), public_id=program_id
    )
    disbursements = list(program.disbursements.select_related("ledger_entry"))
    return {
        "id": program.public_id,
        "name": program.name,
        "description": program.description,
        "fund_id": program.area.fund.public_id,
        "area": program.area.name,
        "budget": program.budget,
        "disbursed": sum(d.amount for d in disbursements),
        "kpis": [vars(kpi) for kpi in program_kpis(program=program)],
        "disbursements": [
            {
                "id": d.public_id,
                "amount": d.amount,
                "paid_on": d.paid_on,
                "recipient": d.recipient,
                "memo": d.memo,
                "ledger_seq": d.ledger_entry.seq,
                "ledger_hash": d.ledger_entry.hash,
            }
            for d in disbursements
        ],
    }
