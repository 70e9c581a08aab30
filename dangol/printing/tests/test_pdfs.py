import shutil
import subprocess

import pytest
from django.urls import reverse

from dangol.coupons.models import Campaign
from dangol.program.models import Cohort, Invitation, PrintKind, PrintRecord

A4 = (210, 297)
A5 = (148, 210)


@pytest.fixture
def pdf_text(require, tmp_path):
    """pdf_text(bytes) → (text, page size line, pages) as poppler reads them."""
    tools = {name: shutil.which(name) for name in ("pdftotext", "pdfinfo", "pdffonts")}
    require(all(tools.values()), "needs poppler-utils (pdftotext, pdfinfo, pdffonts)")

    def run(*args):
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 -- fixed tools

    def read(data):
        path = tmp_path / "doc.pdf"
        path.write_bytes(data)
        text = run(tools["pdftotext"], "-layout", str(path), "-")
        info = run(tools["pdfinfo"], str(path))
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        fonts = run(tools["pdffonts"], str(path))
        width, _x, height = fields["Page size"].split()[:3]
        size_mm = (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72))
        return text, size_mm, int(fields["Pages"]), fonts

    return read


def _pdf(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


@pytest.mark.parametrize(("size", "page"), [("a4", A4), ("a5", A5)])
def test_the_stall_poster_carries_the_store_name_and_an_invitation(signed_in, merchant, store, pdf_text, size, page):
    response = signed_in(merchant).get(reverse("printing:poster", args=[store.public_id, size]))

    text, page_size, pages, fonts = pdf_text(_pdf(response))
    assert "햇살과일" in text
    assert "휴대폰 카메라로 찍고 단골이 되어 주세요" in text
    assert "시험시장 가-01" in text
    assert page_size == page
    assert pages == 1
    assert "yes yes" in fonts  # embedded and subset
    assert PrintRecord.objects.filter(store=store, kind=PrintKind.POSTER, printed_by=merchant).count() == 1


def test_a_market_prints_every_poster_in_one_file(signed_in, market_admin, store, other_store, pdf_text):
    response = signed_in(market_admin).get(reverse("printing:market_posters", args=[store.market.public_id, "a4"]))

    text, page_size, pages, _fonts = pdf_text(_pdf(response))
    assert pages == 2
    assert "햇살과일" in text
    assert "바다수산" in text
    assert page_size == A4
    assert PrintRecord.objects.filter(kind=PrintKind.POSTER).count() == 2


def test_the_guide_booklet_is_a5_large_print_one_step_a_page(signed_in, merchant, store, pdf_text):
    data = _pdf(signed_in(merchant).get(reverse("printing:guide", args=[store.public_id])))

    text, page_size, pages, _fonts = pdf_text(data)
    assert page_size == A5
    assert pages == 7  # the cover with the store's QR, then six steps
    for step in (
        "로그인하기",
        "가게 정보 고치기",
        "단골에게 메시지 보내기",
        "쿠폰 만들기",
        "가게에서 쿠폰 받기",
        "스탬프 찍어 주기",
    ):
        assert step in text
    assert "햇살과일" in text
    assert "인증번호 받기" in text
    assert "우리 가게 QR입니다" in text


def test_the_guide_never_prints_below_16_points(signed_in, merchant, store):
    import io

    from pypdf import PdfReader

    data = _pdf(signed_in(merchant).get(reverse("printing:guide", args=[store.public_id])))
    sizes = []
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(
            visitor_operand_before=lambda op, args, cm, tm: sizes.append(float(args[1])) if op == b"Tf" else None
        )
    assert sizes
    assert min(sizes) >= 16


def test_paper_coupons_print_unique_codes_with_one_validity_line(signed_in, merchant, store, pdf_text):
    campaign = Campaign.create_for(
        store=store,
        by=merchant,
        kind="amount",
        amount_off=1000,
        method="paper",
        quantity=10,
        valid_days=30,
        min_purchase=5000,
    )
    coupons = list(campaign.coupons.all())

    data = _pdf(signed_in(merchant).get(reverse("printing:coupon_sheet", args=[store.public_id, campaign.public_id])))

    text, page_size, pages, _fonts = pdf_text(data)
    assert page_size == A4
    assert pages == 2  # eight to a page
    for coupon in coupons:
        assert text.count(coupon.display_code) == 1
    assert text.count("1,000원 할인") == 10
    assert text.count("5,000원 이상 구매 시") == 10
    day = coupons[0].last_day
    assert text.count(f"{day.year}년 {day.month}월 {day.day}일까지") == 10
    assert "받은 날부터" not in text  # the campaign's rule is not printed beside the coupon's own date


def test_the_paper_coupon_page_links_to_the_pdf(signed_in, merchant, store):
    campaign = Campaign.create_for(
        store=store, by=merchant, kind="gift", gift="대파 한 단", method="paper", quantity=2, valid_days=7
    )
    page = signed_in(merchant).get(reverse("coupons:campaign_paper", args=[store.public_id, campaign.public_id]))

    assert reverse("printing:coupon_sheet", args=[store.public_id, campaign.public_id]) in page.content.decode()


def test_a_printed_invitation_is_a_fresh_one_time_sign_in(signed_in, market_admin, store, pdf_text):
    response = signed_in(market_admin).post(reverse("printing:invitation", args=[store.public_id]))

    text, page_size, _pages, _fonts = pdf_text(_pdf(response))
    assert page_size == A5
    assert "햇살과일 사장님께" in text
    assert "한 번만 쓸 수 있습니다" in text
    assert Invitation.objects.filter(store=store, created_by=market_admin, phone="").count() == 1


def test_a_cohort_operator_prints_for_the_cohorts_markets(signed_in, store, stranger, pdf_text):
    cohort = Cohort.objects.create(name="1기", starts_on="2026-01-01", ends_on="2026-12-31")
    cohort.markets.add(store.market)
    cohort.operators.add(stranger)

    response = signed_in(stranger).get(reverse("printing:poster", args=[store.public_id, "a5"]))

    assert "햇살과일" in pdf_text(_pdf(response))[0]
