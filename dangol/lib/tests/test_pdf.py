import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from dangol.lib import pdf
from dangol.lib.pdf import Heading, KoreanFontMissing, Rule, Space, Table, Text, render_pdf


@pytest.fixture(autouse=True)
def _fresh_font_lookup():
    pdf.find_korean_fonts.cache_clear()
    yield
    pdf.find_korean_fonts.cache_clear()


def _runs(data):
    """[(text, size in pt)] of every piece of text drawn, in page order."""
    runs = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def visit(text, cm, tm, font, size):
            # pypdf reads the two-byte codes of an embedded CMap one byte at a time: drop the NULs it leaves.
            text = re.sub(r"[\s\x00]+", "", text)
            if text:
                runs.append((text, round(size * tm[3], 2)))

        page.extract_text(visitor_text=visit)
    return runs


def _text(data):
    return "".join(text for text, _size in _runs(data))


def _fonts(data):
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            fonts[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return fonts


def test_it_embeds_a_korean_font_and_the_text_reads_back():
    data = render_pdf(
        title="기부금 영수증",
        blocks=[
            Heading("기부금 영수증"),
            "시장 골목 화재 예방 모금함에 기부해 주셔서 감사합니다.",
            Table([("기부일", "2026년 11월 26일"), ("금액", "10,000원")], header=("항목", "내용"), widths=(1, 2)),
        ],
    )

    assert data.startswith(b"%PDF-")
    text = _text(data)
    assert "기부금영수증" in text
    assert "시장골목화재예방모금함에기부해주셔서감사합니다." in text
    assert "금액10,000원" in text
    fonts = _fonts(data)
    assert fonts, "no font in the PDF"
    for name, descriptor in fonts.items():
        # A subset tag ("ABCDEF+") and the glyphs themselves: nothing depends on the reader's fonts.
        assert "+" in name
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
    assert PdfReader(io.BytesIO(data)).metadata.title == "기부금 영수증"


def test_large_print_keeps_every_letter_at_16_points_or_more():
    data = render_pdf(
        title="큰 글씨",
        blocks=[
            Heading("큰 글씨 영수증"),
            Text("본문입니다"),
            Text("작게 부탁한 글씨", size=9),
            Text("크게 부탁한 글씨", size=24),
            Table([("금액", "5,000원")], size=10),
        ],
        large_print=True,
    )

    sizes = dict(_runs(data))
    assert min(sizes.values()) >= 16
    assert sizes["본문입니다"] == 18
    assert sizes["작게부탁한글씨"] == 16
    assert sizes["크게부탁한글씨"] == 24
    assert sizes["큰글씨영수증"] > 18
    assert sizes["1/1"] >= 16  # the page number too


def test_normal_print_uses_the_sizes_asked_for():
    data = render_pdf(title="보통", blocks=[Text("본문"), Text("작은 글씨", size=9), Heading("소제목", level=2)])

    sizes = dict(_runs(data))
    assert sizes["본문"] == 12
    assert sizes["작은글씨"] == 9
    assert sizes["소제목"] == 15


def test_long_documents_flow_onto_numbered_pages():
    rows = [(f"{n}번째 기부", f"{n * 1000:,}원") for n in range(1, 121)]

    data = render_pdf(title="장부", blocks=[Heading("장부"), Table(rows, header=("내용", "금액")), Space(), Rule()])

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) > 1
    assert f"1/{len(pages)}" in _text(data)
    assert "120번째기부120,000원" in _text(data)


def test_it_refuses_something_that_is_not_a_block():
    with pytest.raises(TypeError, match="Not a PDF block"):
        render_pdf(title="x", blocks=[Text("ok"), 42])


def test_a_configured_font_without_hangul_is_refused_clearly(settings):
    settings.PDF_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    with pytest.raises(KoreanFontMissing, match="Hangul"):
        render_pdf(title="x", blocks=["가"])


def test_without_any_korean_font_it_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "KNOWN_FONTS", [(str(tmp_path / "missing.ttc"), str(tmp_path / "missing-bold.ttc"))])
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)

    with pytest.raises(KoreanFontMissing, match="fonts-noto-cjk"):
        render_pdf(title="x", blocks=["가"])


def test_fontconfig_finds_a_korean_font_when_no_known_path_exists(monkeypatch, require):
    require(shutil.which("fc-list"), "needs fontconfig's fc-list (Debian: fontconfig)")
    monkeypatch.setattr(pdf, "KNOWN_FONTS", [])
    regular, bold = pdf.find_korean_fonts()

    data = render_pdf(title="x", blocks=[Text("폰트 찾기", bold=True), "보통 글씨"])

    assert regular != bold
    assert "폰트찾기보통글씨" in _text(data)


def test_poppler_reads_the_korean_text_as_written(tmp_path, require):
    pdftotext = shutil.which("pdftotext")
    require(pdftotext, "needs pdftotext (Debian: poppler-utils)")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(render_pdf(title="x", blocks=[Heading("기부금 영수증"), "금액: 10,000원"]))

    text = subprocess.run(  # noqa: S603 -- a fixed program on a file this test wrote
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert "기부금 영수증" in text
    assert "금액: 10,000원" in text
