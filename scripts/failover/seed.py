"""Inside Django, against the database the settings point at (the Patroni leader, through the
multi-host URL):

    python -m scripts.failover.seed seed OUT.json --users 60 --stores 20
        a market, stores with their merchants and a first-come campaign each, an open fundraising box,
        customers each signed in (a real session row, written by django.contrib.auth.login); writes
        the ids and session keys the client needs to OUT.json.
    python -m scripts.failover.seed verify ACKED.json OUT.json
        for every write the client saw acknowledged, whether it is in the database; writes
        {"checked": n, "missing": [...], "counts": {...}} to OUT.json.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.failover.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import login  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpRequest  # noqa: E402

from dangol.accounts.models import User  # noqa: E402
from dangol.channels.models import ConsentEvent, Follow, Store  # noqa: E402
from dangol.coupons.models import Campaign, Coupon  # noqa: E402
from dangol.markets.models import Market  # noqa: E402
from dangol.messaging.models import InboxItem  # noqa: E402
from dangol.together.models import Category, Donation, Proposal, ProposalStatus, Rules  # noqa: E402
from dangol.together.roles import REVIEWERS  # noqa: E402

BACKEND = "dangol.accounts.backends.PhoneCodeBackend"
NOTES = {
    "public_interest": "시장 상인 모두에게 도움이 됩니다.",
    "credibility": "상인회가 직접 관리합니다.",
    "capability": "비슷한 복구 경험이 있습니다.",
    "specificity": "소화기 40대, 경보기 20대 구입 계획이 있습니다.",
}


def _session_for(user):
    """A signed-in session exactly as the sign-in view leaves it."""
    request = HttpRequest()
    request.session = SessionStore()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    login(request, user, backend=BACKEND)
    request.session.save()
    return request.session.session_key


def _box(market_admin):
    rules = Rules.current()
    rules.agreement_threshold = 1
    rules.save()
    reviewer = User.objects.create_user("+821044449001", name="심사위원")
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])
    proposal = Proposal.propose(
        proposer=market_admin,
        title="시장 골목 화재 예방",
        story="지난 겨울 불이 난 뒤로 소화기가 부족합니다.",
        beneficiary="장애조치시장 상인회",
        goal=10_000_000,
        period_days=30,
        category=Category.DISASTER,
    )
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REVIEW)
    proposal.refresh_from_db()
    return proposal.approve(by=reviewer, notes=NOTES)


def seed(args):
    with transaction.atomic():
        market = Market.objects.create(name="장애조치시장", address="가상시 시험구 11")
        market_admin = User.objects.create_user("+821033339001", name="상인회")
        market.admins.add(market_admin)
        stores, campaigns = [], []
        for n in range(args.stores):
            merchant = User.objects.create_user(f"+82101111{n:04d}", name=f"사장님 {n}")
            store = Store.objects.create(market=market, name=f"가게 {n}", category="fruit", stall_number=f"가-{n:02d}")
            store.owners.add(merchant)
            campaign = Campaign.create_for(
                store=store,
                by=merchant,
                title="",
                kind="amount",
                amount_off=1000,
                valid_days=30,
                method="first_come",
                quantity=None,
                per_customer_limit=1,
            )
            # A welcome coupon goes with every follow, in the follow's own transaction.
            Campaign.create_for(
                store=store,
                by=merchant,
                title="",
                kind="amount",
                amount_off=500,
                valid_days=30,
                method="welcome",
                quantity=None,
                per_customer_limit=1,
            )
            stores.append(store.public_id)
            campaigns.append(campaign.public_id)
        box = _box(market_admin)
        customers = []
        for n in range(args.users):
            user = User.objects.create_user(f"+82102222{n:04d}")
            customers.append({"id": user.public_id, "phone": user.phone, "session": _session_for(user)})
    out = {
        "market": market.public_id,
        "stores": stores,
        "campaigns": campaigns,
        "box": box.public_id,
        "customers": customers,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_header": settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-"),
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


def _incomplete_follows():
    """Follows written without their consent record, confirmation notice or welcome coupon (goal: none)."""
    incomplete = []
    for follow in Follow.objects.filter(store__market__name="장애조치시장").select_related("customer", "store"):
        parts = {
            "consent": ConsentEvent.objects.filter(
                customer=follow.customer, store=follow.store, kind="collection", created_at=follow.started_at
            ).exists(),
            "notice": InboxItem.objects.filter(
                customer=follow.customer, message__store=follow.store, message__kind="notice"
            ).exists(),
            "welcome_coupon": Coupon.objects.filter(
                customer=follow.customer, campaign__store=follow.store, campaign__method="welcome"
            ).exists(),
        }
        if not all(parts.values()):
            incomplete.append({"customer": follow.customer.public_id, "store": follow.store.public_id, **parts})
    return incomplete


def verify(args):
    with open(args.acked) as f:
        acked = json.load(f)
    by_kind = {"follow": [], "claim": [], "donation": []}
    for write in acked:
        by_kind[write["op"]].append(write)
    missing = []
    coupons = set(
        Coupon.objects.filter(public_id__in=[w["id"] for w in by_kind["claim"]]).values_list("public_id", flat=True)
    )
    donations = set(
        Donation.objects.filter(public_id__in=[w["id"] for w in by_kind["donation"]]).values_list(
            "public_id", flat=True
        )
    )
    follows = set(
        Follow.objects.filter(store__public_id__in={w["store"] for w in by_kind["follow"]})
        .values_list("customer__public_id", "store__public_id")
        .distinct()
    )
    missing += [w for w in by_kind["claim"] if w["id"] not in coupons]
    missing += [w for w in by_kind["donation"] if w["id"] not in donations]
    missing += [w for w in by_kind["follow"] if (w["customer"], w["store"]) not in follows]
    out = {
        "checked": len(acked),
        "missing": missing,
        "incomplete_follows": _incomplete_follows(),
        "counts": {kind: len(writes) for kind, writes in by_kind.items()},
        "rows": {
            "follows": Follow.objects.filter(store__market__name="장애조치시장").count(),
            "coupons": Coupon.objects.filter(store__market__name="장애조치시장").count(),
            "donations": Donation.objects.count(),
            "stores": Store.objects.filter(market__name="장애조치시장").count(),
        },
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


def main(argv=None):
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("seed")
    p.add_argument("out")
    p.add_argument("--users", type=int, default=60)
    p.add_argument("--stores", type=int, default=20)
    p = commands.add_parser("verify")
    p.add_argument("acked")
    p.add_argument("out")
    args = parser.parse_args(argv)
    {"seed": seed, "verify": verify}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
