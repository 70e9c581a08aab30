import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangol.lib.models import Heartbeat
from dangol.lib.phones import mask_phone, normalize_phone
from dangol.lib.seoul import is_night, night_ends_after
from dangol.lib.tasks import worker_heartbeat

KST = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize("typed", ["010-1234-5678", "01012345678", "+82 10 1234 5678", " 010 1234 5678 "])
def test_phone_numbers_are_stored_in_one_form(typed):
    assert normalize_phone(typed) == "+821012345678"


@pytest.mark.parametrize("typed", ["", "02-123-4567", "010-12", "hello"])
def test_numbers_that_cannot_receive_a_text_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_a_merchant_sees_only_the_last_four_digits():
    assert mask_phone("+821012345678") == "010-****-5678"


@pytest.mark.parametrize(
    ("local", "night"),
    [("20:59", False), ("21:00", True), ("23:59", True), ("00:00", True), ("07:59", True), ("08:00", False)],
)
def test_night_is_from_nine_in_the_evening_to_eight_in_the_morning_in_seoul(local, night):
    hour, minute = map(int, local.split(":"))
    assert is_night(dt.datetime(2026, 11, 26, hour, minute, tzinfo=KST)) is night


def test_the_night_ends_at_eight_the_next_morning():
    end = night_ends_after(dt.datetime(2026, 12, 31, 22, 0, tzinfo=KST))
    assert end == dt.datetime(2027, 1, 1, 8, 0, tzinfo=KST)


def test_health_reports_the_database_and_a_missing_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_seen": None}
    assert body["status"] == "degraded"


def test_health_reports_a_worker_that_ran_a_task(client, db):
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        worker_heartbeat.enqueue()
        assert client.get("/healthz").json()["status"] == "ok"
    with time_machine.travel("2026-11-26 10:03 +0900", tick=False):
        assert client.get("/healthz").json()["worker"]["ok"] is False
    assert Heartbeat.objects.get().seen_at == dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)


def test_large_text_mode_is_remembered(client, db):
    response = client.post("/text-size/", {"large": "1", "next": "/markets/"})
    assert response["Location"] == "/markets/"
    assert 'class="large-text"' in client.get("/markets/").content.decode()
    response = client.post("/text-size/", {"large": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
