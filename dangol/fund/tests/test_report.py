import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangol.fund.models import Area, Commitment, Disbursement, Fund, Program
from dangol.fund.reports import fund_report, korean_won
from dangol.fund.services import disbursement_record
from dangol.ledger.models import Entry
from dangol.ledger.services import ledger_verify

from .conftest import EOK


@pytest.fixture
def paid(program, fire_program):
    disbursement_record(program=program, amount=3 * EOK, paid_on=dt.date(2025, 6, 1), recipient="전국상인연합회")
    disbursement_record(program=program, amount=2 * EOK, paid_on=dt.date(2026, 2, 1), recipient="전국상인연합회")
    disbursement_record(
        program=fire_program, amount=150_000_000, paid_on=dt.date(2026, 3, 1), recipient="햇살골목시장 상인회"
    )


def _report(fund):
    return fund_report(fund, programs=list(Program.objects.filter(area__fund=fund)))


def test_totals_by_area_and_year(fund, paid):
    report = _report(fund)
    digital, safety = report.areas

    assert [(c.year, c.committed, c.disbursed) for c in digital.cells] == [
        (2025, 10 * EOK, 3 * EOK),
        (2026, 10 * EOK, 2 * EOK),
        (2027, 10 * EOK, 0),
    ]
    assert [(c.year, c.committed, c.disbursed) for c in safety.cells] == [
        (2025, 5 * EOK, 0),
        (2026, 6 * EOK, 150_000_000),
        (2027, 7 * EOK, 0),
    ]
    assert (digital.committed, digital.disbursed, digital.percent) == (30 * EOK, 5 * EOK, 16.7)
    assert (safety.committed, safety.disbursed) == (18 * EOK, 150_000_000)
    assert [(c.year, c.committed, c.disbursed) for c in report.years] == [
        (2025, 15 * EOK, 3 * EOK),
        (2026, 16 * EOK, 350_000_000),
        (2027, 17 * EOK, 0),
    ]
    assert (report.committed, report.disbursed) == (48 * EOK, 650_000_000)


def test_money_reads_in_korean_units():
    assert korean_won(300_000_000_000) == "3,000억 원"
    assert korean_won(150_000_000) == "1억 5,000만 원"
    assert korean_won(12_345_678) == "1,234만 5,678 원"
    assert korean_won(5_000) == "5,000 원"
    assert korean_won(0) == "0원"
    assert korean_won(-250_000_000) == "-2억 5,000만 원"


def test_the_report_page_shows_totals_charts_and_tables(client, fund, paid):
    page = client.get(reverse("fund:report", args=[fund.public_id])).content.decode()

    assert "시험 상생기금" in page
    assert "2025년부터 2027년까지" in page
    assert 'id="total-committed">48억 원<' in page
    assert 'id="total-disbursed">6억 5,000만 원<' in page
    # Two charts, each an image with a title and a description that says the numbers
    assert page.count('role="img" aria-labelledby=') == 2
    assert "디지털 전환: 30억 원 중 5억 원 집행 (16.7%)." in page
    assert "2026년 약정 16억 원, 집행 3억 5,000만 원." in page
    # ...and the same numbers in tables
    assert re.search(
        r"<th scope=\"row\">안전·화재 예방</th><td class=\"num\">18억 원</td><td class=\"num\">1억 5,000만 원</td>",
        page,
    )
    assert "단골 채널 보급" in page and "화재 알림 시설" in page
    assert reverse("ledger:book", args=["fund"]) in page


def test_the_chart_bars_are_drawn_to_scale(fund, paid):
    chart = _report(fund).area_chart()
    digital, safety = chart["bars"]

    assert digital["committed_width"] == chart["width"]  # the largest area fills the width
    assert safety["committed_width"] == pytest.approx(chart["width"] * 18 / 30, abs=0.1)
    assert digital["disbursed_width"] == pytest.approx(chart["width"] * 5 / 30, abs=0.1)


def test_fund_shows_the_newest_public_fund(client, fund):
    Fund.objects.create(name="비공개 새 기금", first_year=2026, years=5, is_public=False)

    page = client.get(reverse("fund:current")).content.decode()

    assert "시험 상생기금" in page
    assert "비공개 새 기금" not in page


def test_without_a_fund_the_page_says_so(client, db):
    response = client.get(reverse("fund:current"))

    assert response.status_code == 200
    assert "아직 공개된 상생기금이 없습니다." in response.content.decode()


def test_the_report_page_runs_a_fixed_number_of_queries(client, fund, paid, fire_program, django_assert_num_queries):
    for n in range(5):
        Program.objects.create(area=fire_program.area, name=f"안전 사업 {n}")

    # fund, programs, committed, disbursed, per-program paid, areas; market KPIs: 4 counts
    with django_assert_num_queries(10):
        assert client.get(reverse("fund:report", args=[fund.public_id])).status_code == 200


def test_the_program_page_lists_its_disbursements_with_their_ledger_lines(client, program, paid):
    page = client.get(reverse("fund:program", args=[program.public_id])).content.decode()
    entry = Entry.objects.get(amount=-3 * EOK)

    assert 'id="program-disbursed">5억 원<' in page
    assert "2025-06-01" in page and "전국상인연합회" in page
    assert f"#{entry.seq}" in page and entry.hash[:12] in page


@pytest.fixture
def hidden(fund, digital):
    secret_fund = Fund.objects.create(name="준비 중인 기금", first_year=2026, years=5, is_public=False)
    area = Area.objects.create(fund=secret_fund, name="디지털 전환")
    return {
        "fund": secret_fund,
        "program_in_hidden_fund": Program.objects.create(area=area, name="숨은 사업"),
        "hidden_program": Program.objects.create(area=digital, name="준비 중인 사업", is_public=False),
    }


def _hidden_urls(hidden):
    return [
        reverse("fund:report", args=[hidden["fund"].public_id]),
        reverse("fund:program", args=[hidden["program_in_hidden_fund"].public_id]),
        reverse("fund:program", args=[hidden["hidden_program"].public_id]),
        f"/api/v1/fund/funds/{hidden['fund'].public_id}",
        f"/api/v1/fund/programs/{hidden['program_in_hidden_fund'].public_id}",
        f"/api/v1/fund/programs/{hidden['hidden_program'].public_id}",
    ]


def test_unpublished_funds_and_programs_are_not_found_by_the_public(client, signed_in, customer, hidden):
    for url in _hidden_urls(hidden):
        assert client.get(url).status_code == 404, url
        assert signed_in(customer).get(url).status_code == 404, url
    report = client.get(reverse("fund:current")).content.decode()
    assert "준비 중인 사업" not in report
    assert [f["name"] for f in client.get("/api/v1/fund/funds").json()] == ["시험 상생기금"]


def test_staff_see_unpublished_funds_and_programs_marked_as_such(signed_in, staff, hidden):
    client = signed_in(staff)
    for url in _hidden_urls(hidden):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("fund:program", args=[hidden["hidden_program"].public_id])).content.decode()
    assert "비공개 사업입니다. 운영진에게만 보입니다." in page


def test_api_gives_the_report_by_area_and_year(client, fund, paid, program):
    data = client.get(f"/api/v1/fund/funds/{fund.public_id}").json()

    assert (data["committed"], data["disbursed"], data["first_year"], data["last_year"]) == (
        48 * EOK,
        650_000_000,
        2025,
        2027,
    )
    assert data["years"][1] == {"year": 2026, "committed": 16 * EOK, "disbursed": 350_000_000}
    digital = data["areas"][0]
    assert digital["name"] == "디지털 전환"
    assert digital["years"][0] == {"year": 2025, "committed": 10 * EOK, "disbursed": 3 * EOK}
    assert digital["programs"] == [{"id": program.public_id, "name": "단골 채널 보급", "disbursed": 5 * EOK}]


def test_api_gives_a_programs_kpis_and_disbursements(client, program, paid):
    data = client.get(f"/api/v1/fund/programs/{program.public_id}").json()

    assert data["disbursed"] == 5 * EOK
    assert [k["key"] for k in data["kpis"]] == ["stores", "followers", "messages", "redemptions"]
    assert [(d["amount"], d["paid_on"]) for d in data["disbursements"]] == [
        (2 * EOK, "2026-02-01"),
        (3 * EOK, "2025-06-01"),
    ]
    assert data["disbursements"][0]["ledger_hash"] == Entry.objects.get(amount=-2 * EOK).hash


def test_an_unknown_fund_or_program_is_not_found(client, db):
    assert client.get(reverse("fund:report", args=["nosuchfund"])).status_code == 404
    assert client.get(reverse("fund:program", args=["nosuchprog"])).status_code == 404
    assert client.get("/api/v1/fund/programs/nosuchprog").status_code == 404


def test_the_demo_fund_is_3000_eok_over_five_years_in_six_areas(db, capsys):
    call_command("load_demo_fund")

    fund = Fund.objects.get()
    report = _report(fund)
    assert (fund.first_year, fund.last_year) == (2026, 2030)
    assert report.committed == 300_000_000_000
    assert [row.area.name for row in report.areas] == [
        "디지털 전환",
        "시설 현대화",
        "공동 마케팅",
        "청년 상인",
        "안전·화재 예방",
        "지역 상생",
    ]
    assert [row.committed for row in report.areas] == [e * EOK for e in (600, 900, 450, 300, 450, 300)]
    assert [c.committed for c in report.years] == [e * EOK for e in (450, 600, 750, 600, 600)]
    assert Commitment.objects.count() == 30
    assert all(row.programs for row in report.areas)
    assert Program.objects.filter(kpi_source="market").count() == 1
    # Every disbursement is a line in the "fund" book, and the chain holds.
    assert Disbursement.objects.count() == Entry.objects.filter(book="fund").count() == 10
    assert -sum(Entry.objects.filter(book="fund").values_list("amount", flat=True)) == report.disbursed
    assert ledger_verify().ok
    assert "300,000,000,000 won" in capsys.readouterr().out


def test_the_demo_fund_loads_once(db, capsys):
    call_command("load_demo_fund")
    call_command("load_demo_fund")

    assert Fund.objects.count() == 1
    assert "already exists" in capsys.readouterr().out
