"""PDFs with Korean text: receipts, reports, anything printed.

A PDF is a title and a list of blocks, rendered top to bottom on A4 with a
Korean font embedded (subset), so it prints and reads the same everywhere::

    from dangol.lib.pdf import Heading, Table, Text, render_pdf

    data = render_pdf(
        title="기부금 영수증",
        blocks=[
            Heading("기부금 영수증"),
            Text("같이 모금함 「시장 골목 화재 예방」에 기부해 주셔서 감사합니다."),
            Table([("기부일", "2026년 11월 26일"), ("금액", "10,000원")], widths=(1, 2)),
            Text("영수증 번호 r4k7mz2q9c", size=9, align="R"),
        ],
        large_print=False,
    )
    return HttpResponse(data, content_type="application/pdf")

render_pdf(*, title, blocks, large_print=False, author="단골") -> bytes
    `title` becomes the document's metadata title (shown in the viewer's tab);
    it is not printed, add a Heading for that. A plain str in `blocks` is a Text.
    Page numbers ("1 / 2") are printed at the foot of every page.

Blocks (frozen dataclasses, all keyword-friendly):
    Text(text, size=None, bold=False, align="L")  a paragraph, wrapped at spaces;
        align is "L", "C", "R" or "J".
    Heading(text, level=1)                         bold; level 1 or 2.
    Table(rows, header=(), widths=None, size=None) rows of str cells; `header`
        is a bold first row; `widths` are relative column widths, e.g. (1, 2).
    Space(mm=5)                                    vertical space.
    Rule()                                         a thin horizontal line.

Sizes are in points. The body is 12 pt, level 1 and 2 headings 20 and 15 pt,
an explicit `size` is used as given. With large_print=True (큰 글씨, for older
readers) the body is 18 pt and nothing on the page, page numbers included, is
smaller than LARGE_PRINT_MIN (16 pt): smaller explicit sizes are raised.

The font is found once per process, in this order: settings.PDF_FONT (a path,
optionally "path#index" for a .ttc collection), a list of known Debian, Fedora
and Arch paths (Noto Sans CJK KR from fonts-noto-cjk, NanumGothic from
fonts-nanum), then `fc-list :lang=ko`. Every candidate must cover Hangul.
No Korean font raises KoreanFontMissing, which says what to install.
Characters the font lacks (emoji in a cheer message, say) are left out, with a
warning in the log; Korean, Latin, digits and common symbols are all there.

Rendering takes about half a second (font parsing and subsetting): do it in a
request for one receipt, in a task for hundreds.
"""

import functools
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

BODY_SIZE = 12
LARGE_BODY_SIZE = 18
LARGE_PRINT_MIN = 16
HEADING_SCALE = {1: 20 / 12, 2: 15 / 12}
LINE_SPACING = 1.5
PT_TO_MM = 25.4 / 72
FAMILY = "korean"

# (regular, bold); a .ttc collection is searched for its Korean face.
KNOWN_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJKkr-Regular.otf",
        "/usr/share/fonts/opentype/noto/NotoSansCJKkr-Bold.otf",
    ),
]
HANGUL_PROBE = "가힣단골"

# fontTools logs every subsetting step at INFO: a dozen lines per PDF otherwise.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class KoreanFontMissing(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0


@dataclass(frozen=True)
class Text:
    text: str
    size: float | None = None
    bold: bool = False
    align: str = "L"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Table:
    rows: tuple | list
    header: tuple | list = ()
    widths: tuple | list | None = None
    size: float | None = None


@dataclass(frozen=True)
class Space:
    mm: float = 5


@dataclass(frozen=True)
class Rule:
    pass


def _is_collection(path):
    return str(path).lower().endswith((".ttc", ".otc"))


def _covers_hangul(font):
    cmap = font.getBestCmap() or {}
    return all(ord(char) in cmap for char in HANGUL_PROBE)


def _korean_face(path, index=None):
    """The FontFile in `path` (at `index`, or the best face of a collection) that covers Hangul, or None."""
    if not Path(path).is_file():
        return None
    try:
        if not _is_collection(path):
            with TTFont(path, lazy=True) as font:
                return FontFile(str(path)) if _covers_hangul(font) else None
        collection = TTCollection(path, lazy=True)
        try:
            faces = collection.fonts
            if index is not None:
                order = [index]
            else:
                # Prefer the face made for Korean (Noto's "CJK KR"); any face with Hangul will do.
                order = sorted(range(len(faces)), key=lambda i: "KR" not in str(faces[i]["name"].getDebugName(1)))
            return next((FontFile(str(path), i) for i in order if _covers_hangul(faces[i])), None)
        finally:
            collection.close()
    except Exception:  # an unreadable or odd font file is just not a candidate
        return None


def _fontconfig_faces():
    """Korean faces fontconfig knows: [(FontFile, is_bold)]."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        listing = subprocess.run(  # noqa: S603 -- a fixed program and arguments
            [fc_list, "-f", "%{file}\t%{index}\t%{weight}\n", ":lang=ko:outline=true"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in sorted(listing.splitlines()):
        path, _tab, rest = line.partition("\t")
        index, _tab, weight = rest.partition("\t")
        numbers = re.findall(r"\d+", weight)
        if not path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")) or not index.isdigit():
            continue
        # fontconfig weights: 80 regular, 200 bold; a variable font lists a range.
        faces.append((FontFile(path, int(index)), bool(numbers) and int(numbers[0]) >= 200))
    return faces


@functools.cache
def find_korean_fonts():
    """(regular, bold) FontFiles; bold is the regular face when no bold exists."""
    configured = getattr(settings, "PDF_FONT", "")
    if configured:
        path, _sep, index = str(configured).partition("#")
        face = _korean_face(path, int(index) if index.isdigit() else None)
        if face is None:
            raise KoreanFontMissing(f"settings.PDF_FONT = {configured!r} is not a readable font with Hangul glyphs.")
        return face, face
    for regular_path, bold_path in KNOWN_FONTS:
        regular = _korean_face(regular_path)
        if regular is not None:
            return regular, _korean_face(bold_path) or regular
    faces = _fontconfig_faces()
    for face, is_bold in faces:
        if not is_bold and _korean_face(face.path, face.index):
            bold = next((b for b, is_b in faces if is_b and _korean_face(b.path, b.index)), face)
            return face, bold
    raise KoreanFontMissing(
        "No Korean font found for PDFs. Install one (Debian: apt-get install fonts-noto-cjk, or fonts-nanum) "
        "or set settings.PDF_FONT to a .ttf/.otf/.ttc file with Hangul glyphs."
    )


class _Document(FPDF):
    def __init__(self, *, min_size):
        super().__init__(format="A4", unit="mm")
        self.min_size = min_size

    def footer(self):
        self.set_y(-15)
        self.set_font(FAMILY, "", max(9, self.min_size))
        self.cell(0, 8, f"{self.page_no()} / {{nb}}", align="C")


def render_pdf(*, title, blocks, large_print=False, author="단골"):
    """Render `blocks` (see the module docstring) to the bytes of an A4 PDF."""
    regular, bold = find_korean_fonts()
    body = LARGE_BODY_SIZE if large_print else BODY_SIZE
    floor = LARGE_PRINT_MIN if large_print else 0
    pdf = _Document(min_size=floor)
    pdf.add_font(FAMILY, "", regular.path, collection_font_number=regular.index)
    pdf.add_font(FAMILY, "B", bold.path, collection_font_number=bold.index)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("ko")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    for block in blocks:
        _draw(pdf, Text(block) if isinstance(block, str) else block, body=body, floor=floor)
    return bytes(pdf.output())


def _draw(pdf, block, *, body, floor):
    match block:
        case Heading(text=text, level=level):
            size = max(body * HEADING_SCALE.get(level, 1), floor)
            pdf.ln(size * PT_TO_MM * 0.4)
            _paragraph(pdf, text, size=size, style="B", align="L")
        case Text(text=text, size=size, bold=bold, align=align):
            _paragraph(pdf, text, size=max(size or body, floor), style="B" if bold else "", align=align)
        case Table():
            _table(pdf, block, size=max(block.size or body, floor))
        case Space(mm=mm):
            pdf.ln(mm)
        case Rule():
            y = pdf.get_y() + 2
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_y(y + 2)
        case _:
            raise TypeError(f"Not a PDF block: {block!r}")


def _paragraph(pdf, text, *, size, style, align):
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, size * PT_TO_MM * LINE_SPACING, str(text), align=align, new_x="LMARGIN", new_y="NEXT")


def _table(pdf, block, *, size):
    pdf.set_font(FAMILY, "", size)
    rows = ([list(block.header)] if block.header else []) + [list(row) for row in block.rows]
    if not rows:
        return
    with pdf.table(
        col_widths=tuple(block.widths) if block.widths else None,
        first_row_as_headings=bool(block.header),
        headings_style=FontFace(emphasis="BOLD", fill_color=(240, 236, 230)),
        line_height=size * PT_TO_MM * LINE_SPACING,
        text_align="LEFT",
        padding=1.5,
    ) as table:
        for row in rows:
            cells = table.row()
            for cell in row:
                cells.cell(str(cell))
    pdf.ln(2)
