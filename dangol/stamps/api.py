import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from dangol.channels.access import public_store
from dangol.coupons.access import store_for_actor
from dangol.coupons.auth import merchant_or_key
from dangol.lib.api import errors, session_auth

from .access import program_in_use
from .models import BAD_QR, StampRefused, StampReward, StampToken

router = Router(tags=["stamps"])


class CardOut(Schema):
    id: str
    store_id: str
    store_name: str
    stamps: int
    goal: int
    completed: int
    expires_at: dt.datetime | None
    reward: str


class StampOut(Schema):
    number: int = Field(description="this stamp's place on its card")
    card: CardOut
    reward_coupon_ids: list[str] = Field(description="coupons this stamp earned (goal or a reward on the way)")


class MemberStampIn(Schema):
    member_token: str = Field(description="what the customer's member QR holds")


class StampProgramOut(Schema):
    store_id: str
    goal: int
    reward: str
    rewards_on_the_way: dict[int, str]
    limit: str
    card_valid_days: int | None
    counted_from: str


class StampQrOut(Schema):
    url: str
    expires_at: dt.datetime


def _card_out(card):
    program = card.program
    return {
        "id": card.public_id,
        "store_id": program.store.public_id,
        "store_name": program.store.name,
        "stamps": card.current_stamps(),
        "goal": program.goal,
        "completed": card.completed,
        "expires_at": card.expires_at,
        "reward": program.reward.benefit,
    }


def _stamp_out(stamp):
    card = stamp.card
    card.refresh_from_db()
    rewards = StampReward.objects.filter(card=card, round=stamp.round, at=stamp.number).select_related("coupon")
    return {"number": stamp.number, "card": _card_out(card), "reward_coupon_ids": [r.coupon.public_id for r in rewards]}


@router.get("/stores/{public_id}/stamp-program", response=StampProgramOut)
def stamp_program(request, public_id: str):
    program = program_in_use(public_store(public_id))
    return {
        "store_id": program.store.public_id,
        "goal": program.goal,
        "reward": program.reward.benefit,
        "rewards_on_the_way": {m.at: m.reward.benefit for m in program.milestones.select_related("reward")},
        "limit": program.limit_text,
        "card_valid_days": program.expires_after_days,
        "counted_from": program.expires_from,
    }


@router.get("/stores/{public_id}/stamp-qr", auth=merchant_or_key, response=StampQrOut)
def stamp_qr(request, public_id: str):
    """The one-time QR a stall device should show now (fetch again when it is used or expires)."""
    store, _who = store_for_actor(request, public_id)
    token = StampToken.current(program_in_use(store))
    return {
        "url": request.build_absolute_uri(reverse("stamps:scan", args=[token.nonce])),
        "expires_at": token.expires_at,
    }


@router.post("/stamps/{nonce}", auth=session_auth, response={201: StampOut, **errors(409, 503)})
def stamp_collect(request, nonce: str):
    """The customer scanned the stall's one-time QR."""
    token = StampToken.objects.select_related("program__store").filter(nonce=nonce).first()
    if token is None:
        raise StampRefused(BAD_QR)
    stamp = token.use(customer=request.auth)
    return Status(201, _stamp_out(stamp))


@router.post("/stores/{public_id}/stamps", auth=merchant_or_key, response={201: StampOut, **errors(409, 503)})
def stamp_give(request, public_id: str, payload: MemberStampIn):
    """The merchant (or the point-of-sale system) scanned a customer's member QR."""
    store, who = store_for_actor(request, public_id)
    stamp = program_in_use(store).give_to_member(payload.member_token, **who)
    return Status(201, _stamp_out(stamp))


@router.get("/stamp-cards", auth=session_auth, response=list[CardOut])
def stamp_cards(request):
    cards = request.auth.stamp_cards.select_related("program__store", "program__reward").order_by("-last_stamp_at")
    return [_card_out(c) for c in cards]


class OfflineStampIn(Schema):
    client_id: str = Field(min_length=8, max_length=64, description="made by the device; a retry sends the same")
    member_token: str = Field(max_length=200, description="what the customer's member QR held")
    used_at: dt.datetime = Field(description="when the stall scanned it, by the device's clock")


class OfflineStampsIn(Schema):
    device: str = Field("", max_length=64)
    records: list[OfflineStampIn] = Field(max_length=200)


class OfflineStampResultOut(Schema):
    client_id: str
    result: str = Field(description="accepted or refused")
    detail: str
    number: int | None = Field(None, description="the stamp's place on its card")


class OfflineStampResultsOut(Schema):
    results: list[OfflineStampResultOut]


@router.post("/stores/{public_id}/offline-stamps", auth=merchant_or_key, response=OfflineStampResultsOut)
def offline_stamps(request, public_id: str, payload: OfflineStampsIn):
    """Member QRs a stall scanned without network. Each record is answered on its own, exactly once
    by its client_id; a QR must have been fresh when it was scanned."""
    store, who = store_for_actor(request, public_id)
    program = program_in_use(store)
    results = []
    for record in payload.records:
        try:
            with transaction.atomic():
                stamp = program.give_offline(
                    record.member_token,
                    used_at=record.used_at,
                    client_id=record.client_id,
                    device=payload.device,
                    **who,
                )
        except StampRefused as refusal:
            results.append({"client_id": record.client_id, "result": "refused", "detail": refusal.message})
            continue
        done = _("도장을 찍었습니다. ({n}/{goal})").format(n=stamp.number, goal=program.goal)
        results.append({"client_id": record.client_id, "result": "accepted", "detail": done, "number": stamp.number})
    return {"results": results}
