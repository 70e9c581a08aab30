from django.shortcuts import get_object_or_404, render

from .models import Fund, Program
from .reports import fund_report
from .services import program_kpis


def report(request, public_id=None):
    """The fund's public report: commitments and disbursements by area and year, programs and KPIs."""
    funds = Fund.objects.visible_to(request.user)
    fund = get_object_or_404(funds, public_id=public_id) if public_id else funds.first()
    if fund is None:
        return render(request, "fund/no_fund.html")
    programs = list(Program.objects.visible_to(request.user).filter(area__fund=fund).select_related("area"))
    for program in programs:
        program.kpis = program_kpis(program=program)
    context = {"fund": fund, "report": fund_report(fund, programs=programs)}
    return render(request, "fund/report.html", context)


def program_detail(request, public_id):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).select_related("area__fund", "market"), public_id=public_id
    )
    disbursements = program.disbursements.select_related("ledger_entry")
    context = {
        "program": program,
        "fund": program.area.fund,
        "kpis": program_kpis(program=program),
        "disbursements": disbursements,
        "disbursed": sum(d.amount for d in disbursements),
    }
    return render(request, "fund/program.html", context)
