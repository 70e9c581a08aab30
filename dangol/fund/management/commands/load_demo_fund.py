"""A demo co-prosperity fund: 3,000억 won over five years across six areas, programs and a few payments.

Loads only when no fund of that name exists yet. Disbursements go through the same service as real
ones, so they appear in the public ledger's "fund" book.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangol.fund.models import Area, Commitment, Fund, KpiSource, Program
from dangol.fund.services import disbursement_record
from dangol.lib.seoul import seoul_today

NAME = "전통시장 상생기금"
TOTAL = 300_000_000_000  # 3,000억 원
EOK = 100_000_000
YEARS = 5
YEAR_SHARES = [15, 20, 25, 20, 20]  # percent of each area's money, year by year

# (area, 억 원 over five years, description, [(program, budget in 억 원, market KPIs?)])
AREAS = [
    (
        "디지털 전환",
        600,
        "가게마다 단골 채널을 열고, 상인이 스스로 소식을 보내고 쿠폰을 쓸 수 있도록 돕습니다.",
        [("단골 채널 보급", 250, True), ("상인 디지털 교육", 150, False), ("간편결제 단말기 지원", 200, False)],
    ),
    (
        "시설 현대화",
        900,
        "비와 더위를 막는 지붕, 주차장, 화장실, 냉장 설비를 고칩니다.",
        [("아케이드·주차장 개선", 600, False), ("냉장·냉동 설비 교체", 300, False)],
    ),
    (
        "공동 마케팅",
        450,
        "시장 축제와 공동 할인 행사로 손님을 모읍니다.",
        [("계절 시장 축제", 250, False), ("공동 할인 행사", 200, False)],
    ),
    (
        "청년 상인",
        300,
        "빈 점포에 청년 상인이 자리 잡도록 임대료와 창업 교육을 지원합니다.",
        [("청년 점포 창업 지원", 200, False), ("빈 점포 리모델링", 100, False)],
    ),
    (
        "안전·화재 예방",
        450,
        "오래된 전기 배선을 바꾸고 화재 감지기와 소화 설비를 놓습니다.",
        [("화재 알림 시설 설치", 250, False), ("전기 안전 점검", 200, False)],
    ),
    (
        "지역 상생",
        300,
        "시장과 동네 이웃을 잇습니다: 어르신 배달, 푸드뱅크 기부.",
        [("어르신 장보기 배달", 150, False), ("지역 푸드뱅크 연계", 150, False)],
    ),
]

# (program, 억 원, month, day, recipient, memo) paid in the fund's first year, up to today.
PAYMENTS = [
    ("단골 채널 보급", 12, 3, 15, "전국상인연합회", "1차 보급 교육·QR 인쇄물"),
    ("단골 채널 보급", 8, 6, 20, "전국상인연합회", "2차 보급"),
    ("상인 디지털 교육", 5, 4, 10, "소상공인 디지털 교육센터", "상반기 교육 40회"),
    ("아케이드·주차장 개선", 40, 5, 2, "햇살골목시장 상인회", "아케이드 1구역 공사"),
    ("냉장·냉동 설비 교체", 15, 7, 1, "햇살골목시장 상인회", "수산 구역 냉장고 24대"),
    ("계절 시장 축제", 6, 9, 25, "햇살골목시장 상인회", "추석 맞이 시장 축제"),
    ("청년 점포 창업 지원", 10, 3, 2, "지역 청년창업지원센터", "1기 청년 상인 12명"),
    ("화재 알림 시설 설치", 20, 2, 14, "햇살골목시장 상인회", "화재 감지기·알림 설비"),
    ("전기 안전 점검", 4, 8, 5, "전기안전공사 지역본부", "점포 380곳 점검"),
    ("어르신 장보기 배달", 3, 10, 1, "동네 사회적협동조합", "배달 자전거와 인건비"),
]


class Command(BaseCommand):
    help = "Load the demo co-prosperity fund (3,000억 원, five years, six areas), unless it exists."

    def add_arguments(self, parser):
        parser.add_argument("--first-year", type=int, default=None, help="default: this year (Seoul)")

    def handle(self, *args, first_year, **options):
        if Fund.objects.filter(name=NAME).exists():
            self.stdout.write(f"Demo fund not loaded: {NAME} already exists.")
            return
        today = seoul_today()
        first_year = first_year or today.year
        if not 2000 <= first_year <= today.year:
            raise CommandError(f"--first-year must be between 2000 and {today.year}.")
        with transaction.atomic():
            fund, paid = self._load(first_year, today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {fund.name}: {TOTAL:,} won over {fund.first_year}-{fund.last_year}, "
                f"{fund.areas.count()} areas, {Program.objects.filter(area__fund=fund).count()} programs, "
                f"{paid} disbursements."
            )
        )

    def _load(self, first_year, today):
        fund = Fund.objects.create(
            name=NAME,
            first_year=first_year,
            years=YEARS,
            description=(
                "대형 유통업체와 지방자치단체가 함께 낸 돈으로 전통시장의 디지털 전환, 시설, 안전, "
                "청년 상인과 지역 상생을 돕습니다. (데모용 가상 기금)"
            ),
        )
        programs = {}
        for order, (name, eok, description, program_list) in enumerate(AREAS, start=1):
            area = Area.objects.create(fund=fund, name=name, description=description, order=order)
            Commitment.objects.bulk_create(
                Commitment(area=area, year=first_year + i, amount=eok * EOK * share // 100)
                for i, share in enumerate(YEAR_SHARES)
            )
            for program_name, budget, market_kpis in program_list:
                programs[program_name] = Program.objects.create(
                    area=area,
                    name=program_name,
                    budget=budget * EOK,
                    kpi_source=KpiSource.MARKET if market_kpis else KpiSource.NONE,
                    starts_on=dt.date(first_year, 1, 1),
                    ends_on=dt.date(first_year + YEARS - 1, 12, 31),
                )
        paid = 0
        for program_name, eok, month, day, recipient, memo in PAYMENTS:
            paid_on = dt.date(first_year, month, day)
            if paid_on > today:
                continue
            disbursement_record(
                program=programs[program_name], amount=eok * EOK, paid_on=paid_on, recipient=recipient, memo=memo
            )
            paid += 1
        return fund, paid
