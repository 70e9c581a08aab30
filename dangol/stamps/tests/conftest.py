import pytest

from dangol.stamps.services import stamp_program_start


@pytest.fixture
def make_program(store, merchant):
    def make(**fields):
        values = {
            "store": store,
            "by": merchant,
            "goal": 3,
            "reward": {"kind": "gift", "amount_off": None, "percent_off": None, "gift": "떡 한 팩"},
            "reward_days": 30,
            "expires_from": "last",
            "limit_mode": "daily",
        }
        values.update(fields)
        return stamp_program_start(**values)

    return make


@pytest.fixture
def program(make_program):
    return make_program()
