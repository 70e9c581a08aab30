"""The public report of a fund: totals by area and year, and bar charts drawn as SVG on the server."""

from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Disbursement

# Drawn about as wide as a phone shows it, so 15px text stays 15px where it matters most.
CHART_WIDTH = 360
BAR_HEIGHT = 20
ROW_HEIGHT = 66
YEAR_CHART_HEIGHT = 230
YEAR_AXIS = 34


def korean_won(value):
    """300000000000 → "3,000억 원", 150000000 → "1억 5,000만 원": exact, and readable aloud.

    Counting in 억 and 만 is Korean; in another language it is the whole amount: "300,000,000,000 won".
    """
    value = int(value)
    if not (get_language() or "ko").startswith("ko"):
        return _("{amount}원").format(amount=f"{value:,}")
    sign = "-" if value < 0 else ""
    eok, rest = divmod(abs(value), 10**8)
    man, won = divmod(rest, 10**4)
    parts = [f"{eok:,}억" if eok else "", f"{man:,}만" if man else "", f"{won:,}" if won else ""]
    text = " ".join(part for part in parts if part)
    return f"{sign}{text} 원" if text else "0원"


def percent(part, whole):
    return round(part * 100 / whole, 1) if whole else 0


@dataclass
class Cell:
    year: int
    committed: int
    disbursed: int


@dataclass
class AreaRow:
    area: object
    cells: list
    programs: list = field(default_factory=list)

    @property
    def committed(self):
        return sum(cell.committed for cell in self.cells)

    @property
    def disbursed(self):
        return sum(cell.disbursed for cell in self.cells)

    @property
    def percent(self):
        return percent(self.disbursed, self.committed)


@dataclass
class FundReport:
    fund: object
    areas: list
    years: list

    @property
    def committed(self):
        return sum(row.committed for row in self.areas)

    @property
    def disbursed(self):
        return sum(row.disbursed for row in self.areas)

    @property
    def percent(self):
        return percent(self.disbursed, self.committed)

    def area_chart(self):
        """Horizontal bars, one row per area: committed (light) with disbursed (dark) over it."""
        top = max((row.committed for row in self.areas), default=0) or 1
        span = CHART_WIDTH
        bars = []
        for i, row in enumerate(self.areas):
            y = 4 + i * ROW_HEIGHT
            bars.append(
                {
                    "label": row.area.name,
                    "label_y": y + 15,
                    "caption_y": y + 33,
                    "bar_y": y + 39,
                    "committed_width": round(row.committed * span / top, 1),
                    "disbursed_width": round(row.disbursed * span / top, 1),
                    "caption": _("{committed} 중 {disbursed} 집행 ({percent}%)").format(
                        committed=korean_won(row.committed), disbursed=korean_won(row.disbursed), percent=row.percent
                    ),
                }
            )
        return {
            "width": CHART_WIDTH,
            "height": 4 + len(bars) * ROW_HEIGHT,
            "bar_height": BAR_HEIGHT,
            "bars": bars,
        }

    def year_chart(self):
        """Vertical bars, a pair per year: committed and disbursed."""
        top = max((cell.committed for cell in self.years), default=0) or 1
        slot = CHART_WIDTH / max(len(self.years), 1)
        bar = min(slot / 3, 40)
        plot = YEAR_CHART_HEIGHT - YEAR_AXIS - 24
        columns = []
        for i, cell in enumerate(self.years):
            x = i * slot + (slot - 2 * bar) / 2
            committed_h = round(cell.committed * plot / top, 1)
            disbursed_h = round(cell.disbursed * plot / top, 1)
            base = YEAR_CHART_HEIGHT - YEAR_AXIS
            columns.append(
                {
                    "year": cell.year,
                    "committed_x": round(x, 1),
                    "disbursed_x": round(x + bar, 1),
                    "committed_y": round(base - committed_h, 1),
                    "disbursed_y": round(base - disbursed_h, 1),
                    "committed_height": committed_h,
                    "disbursed_height": disbursed_h,
                    "label_x": round(x + bar, 1),
                    "value_y": round(base - committed_h - 6, 1),
                    "committed_text": korean_won(cell.committed),
                    "disbursed_text": korean_won(cell.disbursed),
                }
            )
        return {
            "width": CHART_WIDTH,
            "height": YEAR_CHART_HEIGHT,
            "bar": round(bar, 1),
            "base": YEAR_CHART_HEIGHT - YEAR_AXIS,
            "year_y": YEAR_CHART_HEIGHT - YEAR_AXIS + 20,
            "columns": columns,
        }


def fund_report(fund, *, programs):
    """Totals by area and year for `fund`; `programs` are the ones the viewer may see."""
    committed = fund.committed_by_area_and_year()
    disbursed = fund.disbursed_by_area_and_year()
    paid = dict(
        Disbursement.objects.filter(program__in=programs)
        .values_list("program_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_area = {}
    for program in programs:
        program.disbursed_total = paid.get(program.pk, 0)
        by_area.setdefault(program.area_id, []).append(program)
    rows = [
        AreaRow(
            area=area,
            cells=[
                Cell(year, committed.get((area.pk, year), 0), disbursed.get((area.pk, year), 0))
                for year in fund.year_list
            ],
            programs=by_area.get(area.pk, []),
        )
        for area in fund.areas.all()
    ]
    years = [
        Cell(
            year,
            sum(row.cells[i].committed for row in rows),
            sum(row.cells[i].disbursed for row in rows),
        )
        for i, year in enumerate(fund.year_list)
    ]
    return FundReport(fund=fund, areas=rows, years=years)
