import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangol.accounts.models import User
from dangol.payments.providers import TestProvider
from dangol.together.models import Category, Proposal, ProposalStatus, Rules, Sponsor
from dangol.together.roles import REVIEWERS
from dangol.together.services import donation_confirm, donation_start

NOTES = {
    "public_interest": "시장 상인 모두에게 도움이 됩니다.",
    "credibility": "상인회가 직접 관리합니다.",
    "capability": "비슷한 복구 경험이 있습니다.",
    "specificity": "소화기 40대, 경보기 20대 구입 계획이 있습니다.",
}


def png(name="photo.png", size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def neighbour(n, **extra):
    return User.objects.create_user(f"+82105{n:07d}", **extra)


def neighbours(count, start=0):
    users = [User(phone=f"+82106{start + n:07d}", password="!") for n in range(count)]
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(phone__in=[u.phone for u in users]).order_by("phone"))


@pytest.fixture(autouse=True)
def _room_for_many_proposals(settings):
    """Fixtures make many proposals as one person; the daily limits have their own tests."""
    settings.TOGETHER_PROPOSALS_PER_DAY = 1000
    settings.TOGETHER_PHOTOS_PER_DAY = 1000


@pytest.fixture
def rules(db):
    """Site rules with a small threshold so tests can cross it."""
    current = Rules.current()
    current.agreement_threshold = 3
    current.save()
    return current


@pytest.fixture
def reviewer(db):
    user = User.objects.create_user("+821044440001", name="심사위원")
    user.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])  # flushed by transactional tests
    return user


@pytest.fixture
def moderator(db):
    return User.objects.create_user("+821055550001", name="운영진", is_staff=True)


@pytest.fixture
def make_proposal(customer):
    def make(proposer=None, **overrides):
        data = {
            "title": "시장 골목 화재 예방",
            "story": "지난 겨울 불이 난 뒤로 소화기가 부족합니다.",
            "beneficiary": "시험시장 상인회",
            "goal": 1_000_000,
            "period_days": 30,
            "category": Category.DISASTER,
        }
        return Proposal.propose(proposer=proposer or customer, **{**data, **overrides})

    return make


@pytest.fixture
def proposal(rules, make_proposal):
    return make_proposal()


def in_review(proposal):
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REVIEW)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def box(proposal, reviewer):
    return in_review(proposal).approve(by=reviewer, notes=NOTES)


@pytest.fixture
def sponsor(box):
    return Sponsor.objects.create(box=box, name="든든은행", participation_amount=100, participation_cap=1000)


@pytest.fixture
def matcher(box):
    return Sponsor.objects.create(box=box, name="함께재단", participation_amount=0, matching_cap=15000)


def give(box, donor, amount=10000, **options):
    """A donation paid through the test provider, as if the donor came back from its checkout."""
    donation = donation_start(box=box, donor=donor, amount=amount, provider="test", **options)
    key = TestProvider().issue_key(order_id=donation.payment.order_id, amount=amount)
    return donation_confirm(donation=donation, payment_key=key, order_id=donation.payment.order_id, amount=amount)
