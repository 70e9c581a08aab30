import pytest
from django.contrib.auth.models import Permission

from dangol.accounts.models import User
from dangol.channels.models import Follow
from dangol.messaging.models import MessageKind
from dangol.messaging.services import message_send


def neighbour(n, **extra):
    return User.objects.create_user(f"+82107{n:07d}", **extra)


@pytest.fixture
def low_limit(settings):
    settings.REPORTS_TO_HIDE = 3
    return 3


@pytest.fixture
def moderator(db):
    return User.objects.create_user("+821044440001", name="운영진", is_staff=True)


@pytest.fixture
def permitted_moderator(db):
    """Not staff: moderates through the `reports.moderate` permission alone."""
    user = User.objects.create_user("+821044440002", name="신고 담당")
    user.user_permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="reports"))
    return user


@pytest.fixture
def follows(store, customer):
    """The customer and three neighbours follow the store with ad consent."""
    people = [customer, *(neighbour(n) for n in range(3))]
    for person in people:
        Follow.start(customer=person, store=store, ads=True, night=True, via="web")
    return people


@pytest.fixture
def message(store, merchant, follows):
    sent = message_send(store=store, author=merchant, kind=MessageKind.AD, body="오늘만 반값 사과")
    sent.deliver()
    return sent
