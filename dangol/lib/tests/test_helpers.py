import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from dangol.lib.ids import ALPHABET, new_public_id
from dangol.lib.phones import mask_phone, normalize_phone
from dangol.lib.seoul import is_night, night_ends_after

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


@pytest.mark.parametrize(
    ("label", "expected"), [("제목", "제목은"), ("가게 이름", "가게 이름은"), ("메모", "메모는"), ("URL", "URL은(는)")]
)
def test_a_too_long_message_uses_the_right_particle(label, expected):
    from dangol.lib.text import too_long

    assert too_long(80, label) == f"{expected} 80자까지 쓸 수 있습니다."


@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200b", "\u3164", "\ufeff \u2060"])
def test_text_made_only_of_invisible_characters_is_refused(blank):
    from dangol.lib.text import required_text

    with pytest.raises(ValidationError) as refused:
        required_text(blank, field="title")
    assert refused.value.message_dict == {"title": ["보이는 글자를 입력해 주세요."]}


def test_visible_text_keeps_inner_spaces_and_drops_outer_blanks():
    from dangol.lib.text import visible

    assert visible("\u200b 오늘 딸기 \u3164") == "오늘 딸기"


def test_random_ids_use_every_character_of_the_alphabet_evenly_in_every_place():
    ids = [new_public_id() for _ in range(31 * 400)]
    assert all(len(i) == 10 and set(i) <= set(ALPHABET.lower()) for i in ids)
    assert len(set(ids)) == len(ids)
    for place in range(10):
        counts = Counter(i[place] for i in ids)
        assert set(counts) == set(ALPHABET.lower())
        assert 280 < min(counts.values()) and max(counts.values()) < 520, (place, counts)  # 400 expected


def test_ids_stay_random_when_a_test_fixes_the_secrets_draw(monkeypatch):
    monkeypatch.setattr("secrets.randbelow", lambda n: 0)
    assert len({new_public_id() for _ in range(100)}) == 100
