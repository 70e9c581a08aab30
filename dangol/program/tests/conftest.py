import datetime as dt

import pytest

from dangol.accounts.models import User
from dangol.lib.seoul import seoul_today
from dangol.program.models import Cohort


@pytest.fixture
def operator(db):
    return User.objects.create_user("+821044440001", name="운영자")


@pytest.fixture
def tutor(db):
    return User.objects.create_user("+821055550001", name="김튜터")


@pytest.fixture
def other_tutor(db):
    return User.objects.create_user("+821055550002", name="이튜터")


@pytest.fixture
def cohort(market, operator):
    today = seoul_today()
    cohort = Cohort.start(
        name="2026 디지털 전환 1기",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60),
        by=operator,
    )
    cohort.add_market(market)
    return cohort
