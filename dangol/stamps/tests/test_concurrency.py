"""Simultaneous stamps never skip or double a stamp or a reward (PostgreSQL, real threads)."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Count

from dangol.accounts.models import User
from dangol.coupons.models import Coupon
from dangol.lib.testing import run_together
from dangol.stamps.models import Stamp, StampCard, StampRefused, StampReward, StampToken

pytestmark = pytest.mark.postgres


def test_simultaneous_stamps_on_one_card_never_skip_or_double_a_reward(postgres, make_program, customer):
    program = make_program(goal=3, limit_mode="hours", limit_hours=1)
    card = program.card_for(customer)
    start = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)
    for round_number in range(7):
        with time_machine.travel(start + dt.timedelta(hours=2 * round_number), tick=False):
            results = run_together(10, lambda _i: StampCard.objects.get(pk=card.pk).add_stamp(via="member"))
        assert sum(isinstance(r, Stamp) for r in results) == 1, results
        assert all(isinstance(r, (Stamp, StampRefused)) for r in results), results
    card.refresh_from_db()
    assert (card.completed, card.stamps, card.round) == (2, 1, 3)
    assert StampReward.objects.filter(card=card).count() == 2
    assert Coupon.objects.filter(customer=customer).count() == 2
    places = sorted(Stamp.objects.filter(card=card).values_list("round", "number"))
    assert places == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1)]


def test_a_stall_qr_scanned_by_twenty_phones_at_once_gives_one_stamp(postgres, program):
    token = StampToken.current(program)
    phones = User.objects.bulk_create(User(phone=f"+82108{i:07d}", password="!") for i in range(20))
    results = run_together(20, lambda i: StampToken.objects.get(pk=token.pk).use(customer=phones[i]))
    assert sum(isinstance(r, Stamp) for r in results) == 1
    assert Stamp.objects.count() == 1


def test_many_customers_reaching_the_goal_at_once_each_get_one_reward(postgres, make_program):
    program = make_program(goal=2)
    people = User.objects.bulk_create(User(phone=f"+82109{i:07d}", password="!") for i in range(30))
    with time_machine.travel("2026-05-04 10:00 +0900", tick=False):
        for person in people:
            program.card_for(person).add_stamp(via="member")
    with time_machine.travel("2026-05-05 10:00 +0900", tick=False):
        results = run_together(60, lambda i: program.card_for(people[i % 30]).add_stamp(via="member"))
    assert sum(isinstance(r, Stamp) for r in results) == 30
    rewards = Coupon.objects.filter(campaign=program.reward).values("customer").annotate(n=Count("id"))
    assert len(rewards) == 30 and {r["n"] for r in rewards} == {1}
