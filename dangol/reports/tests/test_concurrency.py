"""Exactly-once under real concurrency, on PostgreSQL (threads, each with its own connection)."""

import pytest

from dangol.lib.refusals import AlreadyDone
from dangol.lib.testing import run_together
from dangol.reports.models import Moderation, Report, Target
from dangol.reports.services import report_file

from .conftest import neighbour

pytestmark = pytest.mark.postgres


def test_the_nth_of_many_simultaneous_reports_hides_a_store_exactly_once(postgres, store, settings):
    settings.REPORTS_TO_HIDE = 5
    people = [neighbour(n) for n in range(24)]
    results = run_together(24, lambda i: report_file(reported=store, by=people[i], reason="spam"))
    assert all(isinstance(r, Report) for r in results), [r for r in results if not isinstance(r, Report)]
    target = Target.objects.get(store=store)  # one row, though all 24 raced to make it
    assert (target.report_count, target.moderation, target.withheld) == (24, Moderation.HIDDEN, True)
    hiding = Report.objects.filter(hid_target=True)
    assert hiding.count() == 1
    assert Report.objects.filter(created_at__lte=hiding.get().created_at).count() >= 5
    assert sum(r.hid_target for r in results) == 1


def test_the_nth_report_of_a_message_hides_it_exactly_once(postgres, message, settings):
    settings.REPORTS_TO_HIDE = 3
    people = [neighbour(100 + n) for n in range(12)]
    results = run_together(12, lambda i: report_file(reported=message, by=people[i], reason="scam"))
    assert sum(isinstance(r, Report) and r.hid_target for r in results) == 1
    target = Target.objects.get(message=message)
    assert (target.report_count, target.moderation) == (12, Moderation.HIDDEN)


def test_one_person_reporting_many_times_at_once_counts_once(postgres, store, stranger):
    results = run_together(16, lambda i: report_file(reported=store, by=stranger, reason="spam"))
    assert sum(isinstance(r, Report) for r in results) == 1
    assert all(isinstance(r, AlreadyDone) for r in results if not isinstance(r, Report))
    assert Target.objects.get(store=store).report_count == 1


def test_two_moderators_deciding_at_once_decide_once(postgres, store, moderator, permitted_moderator, settings):
    settings.REPORTS_TO_HIDE = 1
    report_file(reported=store, by=neighbour(500), reason="abuse")
    target = Target.objects.get(store=store)
    who = [moderator, permitted_moderator] * 4
    results = run_together(8, lambda i: Target.objects.get(pk=target.pk).moderate(by=who[i], keep=i % 2 == 0))
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, AlreadyDone) for r in results if r is not None)
    target.refresh_from_db()
    assert target.withheld == (target.moderation == Moderation.REMOVED)
