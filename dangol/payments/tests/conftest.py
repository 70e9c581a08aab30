import pytest

from .fake_toss import SECRET_KEY, FakeToss


@pytest.fixture
def toss(settings):
    """Toss Payments' API on 127.0.0.1, for the length of one test."""
    fake = FakeToss().start()
    settings.PAYMENTS_PROVIDER = "toss"
    settings.TOSS_SECRET_KEY = SECRET_KEY
    settings.TOSS_CLIENT_KEY = "test_ck_dangolFakeClientKey000"
    settings.TOSS_API_BASE = fake.base_url
    settings.TOSS_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()
