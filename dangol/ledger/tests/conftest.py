import pytest
from django.core.cache import cache
from django.db import connection

from dangol.ledger.models import Entry


@pytest.fixture(autouse=True)
def _no_cached_verification():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def chain(db):
    """Six entries across two books: a small box's donations, a refund, a payout, and a fund disbursement."""
    return [
        Entry.append(book="together/box1", kind="donation", amount=10_000, memo="익명 기부", reference="donation:a1"),
        Entry.append(
            book="together/box1", kind="donation", amount=30_000, memo="김** 님 기부", reference="donation:a2"
        ),
        Entry.append(book="fund", kind="disbursement", amount=-5_000_000, memo="디지털 전환 · 교육", reference="d:1"),
        Entry.append(book="together/box1", kind="refund", amount=-10_000, memo="기부 취소", reference="donation:a1"),
        Entry.append(book="together/box1", kind="participation", amount=100, memo="응원 참여", reference="p:1"),
        Entry.append(
            book="together/box1", kind="payout", amount=-30_100, memo="시장 상인회에 지급", reference="payout:1"
        ),
    ]


@pytest.fixture
def raw_sql():
    """Run SQL straight at the database, past Entry's append-only guards, as an attacker would."""

    def run(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run
