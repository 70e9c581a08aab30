"""The screens every sweep walks (axe, English): one world with something on every page."""

import datetime as dt

import pytest
from django.urls import reverse

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia
from dangol.channels.services import follow_start
from dangol.coupons.models import Campaign
from dangol.fund.models import Area, Commitment, Fund, KpiSource, Program
from dangol.lib.seoul import seoul_today
from dangol.messaging.models import MessageKind
from dangol.messaging.services import message_send
from dangol.payments.providers import TestProvider
from dangol.program.models import Cohort, Visit
from dangol.stamps.services import stamp_program_start
from dangol.together.models import Proposal, ProposalStatus, Rules
from dangol.together.services import donation_confirm, donation_start

NOTES = {
    "public_interest": "시장 상인 모두에게 도움이 됩니다.",
    "credibility": "상인회가 직접 관리합니다.",
    "capability": "비슷한 복구 경험이 있습니다.",
    "specificity": "소화기 40대, 경보기 20대 구입 계획이 있습니다.",
}


@pytest.fixture
def world(transactional_db, market, store, merchant, customer, market_admin):
    """A store with a welcome coupon, a stamp card, a message, a cohort with a tutor, a box and a fund."""
    operator = User.objects.create_user("+821044440001", name="운영자")
    tutor = User.objects.create_user("+821055550001", name="김튜터")
    reviewer = User.objects.create_user("+821066660001", name="심사위원", is_staff=True)
    store.description, store.opening_hours = "제철 과일을 팝니다.", "매일 9시~19시"
    store.save()
    Campaign.create_for(store=store, by=merchant, kind="amount", amount_off=1000, method="welcome", valid_days=30)
    stamp_program_start(
        store=store,
        by=merchant,
        goal=5,
        reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "사과 한 봉지"},
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )
    follow_start(customer=customer, store=store, collection=True, ads=True, night=False, via=ConsentVia.WEB)
    message_send(store=store, author=merchant, kind=MessageKind.INFO, body="오늘 사과가 들어왔습니다.")
    today = seoul_today()
    cohort = Cohort.start(
        name="1기", starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=60), by=operator
    )
    cohort.add_market(market)
    cohort.assign_tutor(tutor=tutor, market=market)
    Visit.log(cohort=cohort, store=store, tutor=tutor, visited_on=today, taught="메시지 보내기")
    rules = Rules.current()
    rules.agreement_threshold = 3
    rules.save()
    proposal = Proposal.propose(
        proposer=customer,
        title="시장 골목 화재 예방",
        story="지난 겨울 불이 난 뒤로 소화기가 부족합니다.",
        beneficiary="시험시장 상인회",
        goal=1_000_000,
        period_days=30,
        category="disaster",
    )
    open_proposal = Proposal.propose(
        proposer=customer,
        title="장바구니 수레 나눔",
        story="무거운 장바구니를 들기 힘든 어르신이 많습니다.",
        beneficiary="시험시장 상인회",
        goal=300_000,
        period_days=30,
        category="disaster",
    )
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REVIEW)
    proposal.refresh_from_db()
    box = proposal.approve(by=reviewer, notes=NOTES)
    donation = donation_start(box=box, donor=customer, amount=10000, provider="test")
    key = TestProvider().issue_key(order_id=donation.payment.order_id, amount=10000)
    donation_confirm(donation=donation, payment_key=key, order_id=donation.payment.order_id, amount=10000)
    fund = Fund.objects.create(name="시험 상생기금", first_year=today.year, years=3)
    area = Area.objects.create(fund=fund, name="디지털 전환", order=1)
    Commitment.objects.create(area=area, year=today.year, amount=1_000_000_000)
    fund_program = Program.objects.create(
        area=area, name="단골 채널 보급", budget=500_000_000, kpi_source=KpiSource.MARKET
    )
    return {
        "operator": operator,
        "tutor": tutor,
        "reviewer": reviewer,
        "cohort": cohort,
        "box": box,
        "proposal": open_proposal,
        "fund_program": fund_program,
    }


def screens(world, store, market, merchant, customer, market_admin):
    s, m = store.public_id, market.public_id
    cohort = world["cohort"]
    wallet_coupon = customer.coupons.get()
    inbox_item = customer.inbox.exclude(message__kind=MessageKind.NOTICE).get()
    sent_message = inbox_item.message
    return [
        (None, "/"),
        (None, reverse("accounts:sign_in")),
        (None, reverse("markets:list")),
        (None, market.get_absolute_url()),
        (None, store.get_absolute_url()),
        (None, reverse("together:index")),
        (None, world["proposal"].get_absolute_url()),
        (None, world["box"].get_absolute_url()),
        (None, reverse("fund:current")),
        (None, reverse("fund:program", args=[world["fund_program"].public_id])),
        (None, reverse("ledger:ledger")),
        (None, reverse("ledger:book", args=[f"together/{world['box'].public_id}"])),
        (customer, store.get_absolute_url()),
        (customer, reverse("channels:consent", args=[s])),
        (customer, reverse("channels:unfollow", args=[s])),
        (customer, reverse("channels:my_stores")),
        (customer, reverse("messaging:inbox")),
        (customer, inbox_item.get_absolute_url()),
        (customer, customer.inbox.filter(message__kind=MessageKind.NOTICE).first().get_absolute_url()),
        (customer, reverse("coupons:wallet")),
        (customer, wallet_coupon.get_absolute_url()),
        (customer, reverse("coupons:store_coupons", args=[s])),
        (customer, reverse("stamps:cards")),
        (market_admin, reverse("channels:follow", args=[s])),
        (merchant, reverse("channels:dashboard", args=[s])),
        (merchant, reverse("channels:profile", args=[s])),
        (merchant, reverse("channels:followers", args=[s])),
        (merchant, reverse("stamps:program", args=[s])),
        (merchant, reverse("stamps:stall_qr", args=[s])),
        (merchant, reverse("coupons:stall", args=[s])),
        (merchant, reverse("coupons:campaigns", args=[s])),
        (merchant, reverse("messaging:compose", args=[s])),
        (merchant, reverse("messaging:sent_list", args=[s])),
        (merchant, reverse("delivery:stall_signup", args=[s])),
        (merchant, reverse("delivery:reach", args=[s, sent_message.public_id])),
        (customer, reverse("delivery:channels")),
        (merchant, reverse("program:checklist", args=[s])),
        (merchant, reverse("printing:store", args=[s])),
        (world["operator"], reverse("program:home")),
        (world["reviewer"], reverse("program:cohort_new")),
        (world["operator"], cohort.get_absolute_url()),
        (world["operator"], reverse("program:market", args=[cohort.public_id, m])),
        (world["operator"], reverse("program:store", args=[cohort.public_id, s])),
        (world["tutor"], reverse("program:visit_new", args=[cohort.public_id, s])),
        (market_admin, reverse("program:store_new", args=[m])),
        (market_admin, reverse("program:invite", args=[s])),
        (market_admin, reverse("printing:market", args=[m])),
    ]
