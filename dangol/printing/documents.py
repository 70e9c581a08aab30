"""The printed material, drawn page by page with the Korean font lib.pdf finds (embedded, subset).

lib.pdf's render_pdf flows text down A4 pages; posters, booklets and coupon sheets need a page size,
a page per item, QR codes and cut lines, so they are drawn here with the same font and fpdf2.
Every function returns the bytes of a PDF; none reads the database.
"""

from dataclasses import dataclass

import segno
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from fpdf import FPDF

from dangol.lib.pdf import FAMILY, LARGE_PRINT_MIN, PT_TO_MM, find_korean_fonts

PAGE_SIZES = {"A4": (210, 297), "A5": (148, 210)}
INK = (30, 30, 30)
BRAND = (176, 58, 46)
GUIDE_BODY = 18  # pt; the booklet never goes below LARGE_PRINT_MIN


def _document(*, title, format="A4"):
    regular, bold = find_korean_fonts()
    pdf = FPDF(format=PAGE_SIZES[format], unit="mm")  # in mm: fpdf2 named A5 differently before 2.8.5
    pdf.add_font(FAMILY, "", regular.path, collection_font_number=regular.index)
    pdf.add_font(FAMILY, "B", bold.path, collection_font_number=bold.index)
    pdf.set_title(title)
    pdf.set_author(pgettext("brand", "단골"))
    pdf.set_lang(get_language() or "ko")
    pdf.set_auto_page_break(False)
    pdf.set_text_color(*INK)
    return pdf


def _qr(pdf, text, *, x, y, size):
    """A QR code as vector squares (sharp at any printer resolution), with a quiet zone around it."""
    rows = [bytes(row) for row in segno.make(text, error="m").matrix]
    cell = size / (len(rows) + 8)
    x, y = x + 4 * cell, y + 4 * cell
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # Overlap by a hair so adjacent squares print without white seams.
                pdf.rect(x + start * cell, y + r * cell, (c - start) * cell + 0.02, cell + 0.02, style="F")
            else:
                c += 1


def _fitted_size(pdf, text, *, width, largest, smallest, style="B"):
    """The largest font size (pt) at which `text` fits on one line of `width` mm, not below `smallest`."""
    size = largest
    while size > smallest:
        pdf.set_font(FAMILY, style, size)
        if pdf.get_string_width(text) + 2 * pdf.c_margin + 1 <= width:
            return size
        size -= 2
    return smallest


def _lines(pdf, text, *, size, style="", align="C", x=None, width=None, spacing=1.35):
    """A paragraph at the current height, wrapped within `width` (the page between margins by default)."""
    pdf.set_font(FAMILY, style, size)
    if x is not None:
        pdf.set_x(x)
    pdf.multi_cell(width or 0, size * PT_TO_MM * spacing, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _button(pdf, label, *, size):
    """A button as it looks on the screen: the label in a rounded box, so the reader knows what to press."""
    pdf.set_font(FAMILY, "B", size)
    height = size * PT_TO_MM * 2
    width = min(pdf.get_string_width(label) + 16, pdf.w - pdf.l_margin - pdf.r_margin)
    x = (pdf.w - width) / 2
    y = pdf.get_y() + 1
    pdf.set_fill_color(*BRAND)
    pdf.rect(x, y, width, height, style="F", round_corners=True, corner_radius=3)
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(x, y)
    pdf.cell(width, height, label, align="C")
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + height + 3)


# Posters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PosterStore:
    name: str
    place: str  # market and stall number
    url: str  # what the QR opens: the store's page


def invite_line():
    return _("휴대폰 카메라로 찍고 단골이 되어 주세요")


def posters(stores, *, size="A4", title=None):
    """One poster page per PosterStore: the name very large, the QR, one line of invitation."""
    width, height = PAGE_SIZES[size]
    k = width / 210  # everything is drawn for A4 and scaled
    pdf = _document(title=title or _("단골 QR 포스터"), format=size)
    margin = 15 * k
    pdf.set_margins(margin, margin, margin)
    for store in stores:
        pdf.add_page()
        pdf.set_y(14 * k)
        _lines(pdf, store.place, size=20 * k)
        name_size = _fitted_size(pdf, store.name, width=width - 2 * margin, largest=120 * k, smallest=40 * k)
        pdf.set_y(pdf.get_y() + 4 * k)
        _lines(pdf, store.name, size=name_size, style="B", spacing=1.15)
        qr_size = 140 * k
        qr_top = max(pdf.get_y() + 4 * k, 95 * k)
        _qr(pdf, store.url, x=(width - qr_size) / 2, y=qr_top, size=qr_size)
        pdf.set_y(qr_top + qr_size + 4 * k)
        line = invite_line()
        _lines(pdf, line, size=_fitted_size(pdf, line, width=width - 2 * margin, largest=30 * k, smallest=14))
        pdf.set_y(height - 16 * k)
        _lines(pdf, pgettext("brand", "단골") + f" · {store.url}", size=max(10 * k, 8))
    return bytes(pdf.output())


# The guide booklet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideStep:
    title: str
    lines: tuple  # what to do, one sentence each
    button: str = ""  # the label to press, drawn as on the screen
    qr: str = ""  # a QR to scan on this page (sign in)


def guide_steps(*, store_name, sign_in_url):
    """The merchant's steps, with the words on the real screens.

    Each label is the very string its screen shows (the same msgid), so the booklet names the
    buttons as they read in the merchant's language.
    """
    get_code, confirm, save, send = _("인증번호 받기"), _("확인"), _("저장"), _("보내기")
    edit_profile, compose, start, ad = _("가게 정보 고치기"), _("단골에게 메시지 보내기"), _("쉽게 시작하기"), _("광고")
    coupons, new_coupon, make_coupon = _("쿠폰 만들기·관리"), _("새 쿠폰 만들기"), _("쿠폰 만들기")
    stall, scan, redeem, undo = _("계산대 화면"), _("카메라로 QR 찍기"), _("사용 처리"), _("되돌리기")
    stamp_card, get_stamp = _("스탬프 카드"), _("도장 받기")
    return [
        GuideStep(
            _("로그인하기"),
            (
                _("휴대폰 카메라로 아래 QR을 찍으세요."),
                _("휴대폰 번호를 넣고 [{get_code}]를 누르세요.").format(get_code=get_code),
                _("문자로 온 숫자 6자리를 넣고 [{confirm}]을 누르세요.").format(confirm=confirm),
                _("'{store}' 관리 화면이 열립니다.").format(store=store_name),
            ),
            button=get_code,
            qr=sign_in_url,
        ),
        GuideStep(
            _("가게 정보 고치기"),
            (
                _("관리 화면에서 [{edit_profile}]를 누르세요.").format(edit_profile=edit_profile),
                _("파는 물건, 영업시간, 가게 전화, 사진을 채우세요."),
                _("다 채웠으면 [{save}]을 누르세요.").format(save=save),
            ),
            button=edit_profile,
        ),
        GuideStep(
            _("단골에게 메시지 보내기"),
            (
                _("관리 화면에서 [{compose}]를 누르세요.").format(compose=compose),
                _("'{start}'에서 알맞은 글을 고르면 내용이 채워집니다.").format(start=start),
                _("할인 소식은 '{ad}'를 고르세요. 밤에는 아침 8시에 갑니다.").format(ad=ad),
                _("[{send}]를 누르면 단골 휴대폰에 바로 갑니다.").format(send=send),
            ),
            button=compose,
        ),
        GuideStep(
            _("쿠폰 만들기"),
            (
                _("관리 화면에서 [{coupons}]를 누르세요.").format(coupons=coupons),
                _("[{new_coupon}]를 누르고 할인 금액이나 사은품을 적으세요.").format(new_coupon=new_coupon),
                _("나눠 주는 방법을 고르고 [{make_coupon}]를 누르세요.").format(make_coupon=make_coupon),
            ),
            button=coupons,
        ),
        GuideStep(
            _("가게에서 쿠폰 받기"),
            (
                _("관리 화면에서 [{stall}]을 여세요.").format(stall=stall),
                _("[{scan}]로 손님 휴대폰의 쿠폰을 찍으세요.").format(scan=scan),
                _("찍기 어려우면 쿠폰 번호 8자리를 넣으세요."),
                _("[{redeem}]를 누르면 끝입니다. 잘못 눌렀으면 [{undo}].").format(redeem=redeem, undo=undo),
            ),
            button=redeem,
        ),
        GuideStep(
            _("스탬프 찍어 주기"),
            (
                _("처음 한 번 [{stamp_card}]에서 몇 번 모으면 무엇을 줄지 정하세요.").format(stamp_card=stamp_card),
                _("계산대 화면에 스탬프 QR이 나옵니다."),
                _("손님이 그 QR을 찍고 [{get_stamp}]를 누르면 도장이 찍힙니다.").format(get_stamp=get_stamp),
            ),
            button=stamp_card,
        ),
    ]


def guide(*, store_name, place, store_url, sign_in_url):
    """The large-print booklet (A5): a cover with the store's own QR, then one step per page."""
    pdf = _document(title=_("{store} 단골 사용 안내").format(store=store_name), format="A5")
    pdf.set_margins(14, 14, 14)
    width, height = PAGE_SIZES["A5"]
    body = max(GUIDE_BODY, LARGE_PRINT_MIN)

    pdf.add_page()
    pdf.set_y(16)
    _lines(pdf, _("단골 사용 안내"), size=30, style="B")
    _lines(pdf, _("큰 글씨 안내서"), size=body)
    pdf.ln(4)
    _lines(pdf, store_name, size=_fitted_size(pdf, store_name, width=width - 28, largest=40, smallest=20), style="B")
    _lines(pdf, place, size=body)
    _qr(pdf, store_url, x=(width - 80) / 2, y=pdf.get_y() + 2, size=80)
    pdf.set_y(pdf.get_y() + 84)
    _lines(pdf, _("우리 가게 QR입니다. 손님이 찍으면 가게 페이지가 열리고 단골이 될 수 있습니다."), size=body)

    steps = guide_steps(store_name=store_name, sign_in_url=sign_in_url)
    for number, step in enumerate(steps, start=1):
        pdf.add_page()
        pdf.set_y(14)
        _lines(pdf, _("{number}단계 / {total}").format(number=number, total=len(steps)), size=body, align="L")
        _lines(pdf, step.title, size=28, style="B", align="L")
        pdf.ln(3)
        if step.qr:
            _qr(pdf, step.qr, x=(width - 56) / 2, y=pdf.get_y(), size=56)
            pdf.set_y(pdf.get_y() + 58)
        for index, line in enumerate(step.lines, start=1):
            _lines(pdf, f"{index}. {line}", size=body, align="L")
            pdf.ln(2)
        if step.button:
            pdf.ln(2)
            _lines(pdf, _("화면에서 이 버튼을 찾으세요:"), size=body, align="L")
            _button(pdf, step.button, size=body)
        pdf.set_y(height - 14)
        _lines(pdf, f"{store_name} · {number + 1}", size=LARGE_PRINT_MIN)
    return bytes(pdf.output())


# Paper coupons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperCoupon:
    code: str  # as printed, e.g. "ABCD-EFGH"
    qr: str  # the signed token the stall screen reads
    last_day: str  # "2026년 5월 31일까지", in the reader's language


COLUMNS, ROWS = 2, 4


def coupon_sheets(*, store_name, benefit, condition, coupons):
    """A4 sheets of eight coupons each, with dashed cut lines between them."""
    pdf = _document(title=_("{store} 종이 쿠폰").format(store=store_name))
    width, height = PAGE_SIZES["A4"]
    margin = 10
    cell_w, cell_h = (width - 2 * margin) / COLUMNS, (height - 2 * margin) / ROWS
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(coupons), 1), per_page):
        pdf.add_page()
        pdf.set_margins(0, 0, 0)
        pdf.set_draw_color(120, 120, 120)
        pdf.set_dash_pattern(dash=2, gap=1.5)
        for i in range(COLUMNS + 1):
            pdf.line(margin + i * cell_w, margin, margin + i * cell_w, height - margin)
        for j in range(ROWS + 1):
            pdf.line(margin, margin + j * cell_h, width - margin, margin + j * cell_h)
        pdf.set_dash_pattern()
        for n, coupon in enumerate(coupons[start : start + per_page]):
            x = margin + (n % COLUMNS) * cell_w
            y = margin + (n // COLUMNS) * cell_h
            _coupon(
                pdf, coupon, x=x, y=y, w=cell_w, h=cell_h, store_name=store_name, benefit=benefit, condition=condition
            )
    return bytes(pdf.output())


def _coupon(pdf, coupon, *, x, y, w, h, store_name, benefit, condition):
    pad = 5
    qr_size = h - 2 * pad - 14
    _qr(pdf, coupon.qr, x=x + pad - 2, y=y + pad, size=qr_size)
    text_x = x + pad + qr_size
    text_w = w - qr_size - 2 * pad
    pdf.set_xy(text_x, y + pad + 1)
    _lines(pdf, store_name, size=11, style="B", align="L", x=text_x, width=text_w)
    pdf.set_x(text_x)
    _lines(
        pdf,
        benefit,
        size=_fitted_size(pdf, benefit, width=text_w, largest=18, smallest=11),
        style="B",
        align="L",
        x=text_x,
        width=text_w,
    )
    if condition:
        _lines(pdf, condition, size=9, align="L", x=text_x, width=text_w)
    pdf.ln(1)
    _lines(pdf, coupon.code, size=14, style="B", align="L", x=text_x, width=text_w)
    _lines(pdf, coupon.last_day, size=10, align="L", x=text_x, width=text_w)
    pdf.set_xy(x + pad, y + h - pad - 6)
    _lines(pdf, _("계산할 때 보여 주세요 · 한 번만 쓸 수 있습니다"), size=8, align="L", x=x + pad, width=w - 2 * pad)


# The invitation ---------------------------------------------------------------------------------


def invitation(*, store_name, place, url, until):
    """An A5 sign-in for the store's merchant: scan, type the phone number and the texted code."""
    pdf = _document(title=_("{store} 사장님 초대장").format(store=store_name), format="A5")
    pdf.set_margins(14, 14, 14)
    width, _height = PAGE_SIZES["A5"]
    body = max(GUIDE_BODY, LARGE_PRINT_MIN)
    pdf.add_page()
    pdf.set_y(14)
    greeting = _("{store} 사장님께").format(store=store_name)
    _lines(pdf, greeting, size=_fitted_size(pdf, greeting, width=width - 28, largest=28, smallest=18), style="B")
    _lines(pdf, place, size=body)
    _lines(pdf, _("단골 가게 관리를 시작하세요"), size=body, style="B")
    _qr(pdf, url, x=(width - 70) / 2, y=pdf.get_y() + 2, size=70)
    pdf.set_y(pdf.get_y() + 74)
    for index, line in enumerate(
        (
            _("휴대폰 카메라로 QR을 찍으세요."),
            _("휴대폰 번호를 넣고 문자로 온 숫자를 넣으세요."),
            _("[{start}]를 누르세요.").format(start=_("가게 관리 시작하기")),
        ),
        start=1,
    ):
        _lines(pdf, f"{index}. {line}", size=body, align="L")
    pdf.ln(2)
    _lines(
        pdf,
        _("{day}까지 한 번만 쓸 수 있습니다. 다른 사람에게 보여 주지 마세요.").format(day=until),
        size=LARGE_PRINT_MIN,
        align="L",
    )
    return bytes(pdf.output())
