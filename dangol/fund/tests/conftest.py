import datetime as dt

import pytest
import time_machine

from dangol.accounts.models import User
from dangol.fund.models import Area, Commitment, Fund, KpiSource, Program

EOK = 100_000_000


@pytest.fixture
def fund(db):
    """2025-2027, two areas: 디지털 전환 (10억 a year) and 안전·화재 예방 (5억, 6억, 7억)."""
    fund = Fund.objects.create(name="시험 상생기금", first_year=2025, years=3)
    digital = Area.objects.create(fund=fund, name="디지털 전환", order=1)
    safety = Area.objects.create(fund=fund, name="안전·화재 예방", order=2)
    for year in (2025, 2026, 2027):
        Commitment.objects.create(area=digital, year=year, amount=10 * EOK)
    for year, eok in ((2025, 5), (2026, 6), (2027, 7)):
        Commitment.objects.create(area=safety, year=year, amount=eok * EOK)
    return fund


@pytest.fixture
def digital(fund):
    return fund.areas.get(name="디지털 전환")


@pytest.fixture
def safety(fund):
    return fund.areas.get(name="안전·화재 예방")


@pytest.fixture
def program(digital):
    return Program.objects.create(area=digital, name="단골 채널 보급", budget=20 * EOK, kpi_source=KpiSource.MARKET)


@pytest.fixture
def fire_program(safety):
    return Program.objects.create(area=safety, name="화재 알림 시설", budget=8 * EOK)


@pytest.fixture
def staff(db):
    return User.objects.create_user("+821090000002", name="운영진", is_staff=True)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("+821090000003", name="관리자")


@pytest.fixture
def paid_on():
    return dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    """Thursday 26 November 2026, noon in Seoul: payments in the fund's second year are in the past."""
    with time_machine.travel(dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller
