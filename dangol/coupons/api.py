import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from dangol.accounts.services import client_address
from dangol.channels.access import public_store
from dangol.lib.api import errors, session_auth

from . import offline, tokens
from .access import claimable_campaign, own_coupon, store_for_actor, store_redemption
from .auth import UncheckedKey, merchant_or_key, stall_merchant_or_key
from .models import (
    MAX_OFFLINE_BATCH,
    MAX_TITLE,
    MAX_WON,
    UNDO_WINDOW,
    Campaign,
    Coupon,
    CouponKind,
    CouponRefused,
    CouponStatus,
    DoubleUse,
    Method,
    SigningKey,
    Via,
    minutes,
)

router = Router(tags=["coupons"])


class PublicKeyOut(Schema):
    kid: str
    kty: str = "OKP"
    crv: str = "Ed25519"
    x: str = Field(description="raw 32-byte public key, base64url without padding")
    status: str = Field(description="active: signs new coupons; retired: still verifies coupons it signed")
    created_at: dt.datetime


class KeysOut(Schema):
    store_id: str
    token_format: str
    keys: list[PublicKeyOut]


class RevocationsOut(Schema):
    store_id: str
    generated_at: dt.datetime
    codes: list[str]


class CampaignIn(Schema):
    """The same terms as the page's form; `Campaign.clean` checks them (a 400 names each field at fault)."""

    title: str = Field("", description=f"up to {MAX_TITLE} characters; empty: the benefit is the name")
    kind: CouponKind
    amount_off: int | None = Field(None, description="amount: 1 to 100,000,000 won")
    percent_off: int | None = Field(None, description="percent: 1-90")
    gift: str = Field("", description=f"gift: what is given, up to {MAX_TITLE} characters")
    min_purchase: int = Field(0, description="0 to 100,000,000 won")
    valid_days: int | None = Field(None, description="1-365 days after issue; or give valid_until")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = Field(None, description="the last day, today to two years ahead")
    method: Method = Field(Method.FIRST_COME, description="any but reward (stamp-card rewards are made with the card)")
    quantity: int | None = Field(
        None, description="total; for a lottery the winner cap, for paper the sheet size (1-300)"
    )
    per_customer_limit: int = Field(1, description="1-10")
    win_rate: int | None = Field(None, description="lottery only, 1-99")


class CampaignOut(Schema):
    id: str
    name: str
    benefit: str
    conditions: str
    kind: str
    amount_off: int | None
    percent_off: int | None
    gift: str
    min_purchase: int
    method: str
    quantity: int | None
    remaining: int | None
    win_rate: int | None
    status: str


class CampaignStatsOut(CampaignOut):
    issued: int
    redeemed: int


# The answers of the stall and the claim (and everything that shows a coupon) are plain pydantic
# models, as the inbox's are: they are given dicts, and ninja's Schema would read each field through its
# Django attribute wrapper, about 8% of a redemption's CPU.
class CouponOut(BaseModel):
    id: str
    code: str
    store_id: str
    store_name: str
    benefit: str
    kind: str
    min_purchase: int
    starts_at: dt.datetime
    expires_at: dt.datetime
    state: str = Field(description="usable, not_yet, redeemed, revoked or expired")
    redeemed_at: dt.datetime | None
    token: str | None = Field(None, description="signed token for the QR; only while the coupon can be used")


class WalletOut(Schema):
    usable: list[CouponOut]
    past: list[CouponOut]


class ClaimOut(BaseModel):
    won: bool
    coupon: CouponOut | None


class RedeemIn(Schema):
    code: str | None = Field(None, description="the 8-character code, hyphen optional")
    token: str | None = Field(None, description="the signed token read from the QR")
    amount: int | None = Field(None, ge=0, le=MAX_WON, description="purchase amount in won")
    client_id: str = Field("", max_length=64, description="idempotency key: a retry returns the same redemption")


class UseIn(Schema):
    pin: str = Field(description="the store's 4-digit confirmation number, typed by the merchant")
    amount: int | None = Field(None, ge=0, le=MAX_WON)


class RedemptionOut(BaseModel):
    id: str
    coupon: CouponOut
    via: str
    amount: int | None
    discount: int | None
    created_at: dt.datetime
    undone_at: dt.datetime | None
    undo_until: dt.datetime


def _campaign_out(campaign):
    return {
        "id": campaign.public_id,
        "name": campaign.name,
        "benefit": campaign.benefit,
        "conditions": campaign.conditions,
        "kind": campaign.kind,
        "amount_off": campaign.amount_off,
        "percent_off": campaign.percent_off,
        "gift": campaign.gift,
        "min_purchase": campaign.min_purchase,
        "method": campaign.method,
        "quantity": campaign.quantity,
        "remaining": campaign.remaining,
        "win_rate": campaign.win_rate,
        "status": campaign.status,
    }


def _coupon_out(coupon, *, with_token=False, now=None):
    state = coupon.state(now)
    return {
        "id": coupon.public_id,
        "code": coupon.display_code,
        "store_id": coupon.store.public_id,
        "store_name": coupon.store.name,
        "benefit": coupon.campaign.benefit,
        "kind": coupon.campaign.kind,
        "min_purchase": coupon.campaign.min_purchase,
        "starts_at": coupon.starts_at,
        "expires_at": coupon.expires_at,
        "state": state,
        "redeemed_at": coupon.redeemed_at,
        "token": coupon.token() if with_token and state in ("usable", "not_yet") else None,
    }


def _redemption_out(redemption):
    return {
        "id": redemption.public_id,
        "coupon": _coupon_out(redemption.coupon),
        "via": redemption.via,
        "amount": redemption.amount,
        "discount": redemption.discount,
        "created_at": redemption.created_at,
        "undone_at": redemption.undone_at,
        "undo_until": redemption.created_at + UNDO_WINDOW,
    }


@router.get("/stores/{public_id}/keys", response=KeysOut)
def public_keys(request, public_id: str):
    """The store's Ed25519 public keys, for checking coupon QR tokens without a network."""
    store = public_store(public_id)
    keys = SigningKey.objects.published(store)
    return {
        "store_id": store.public_id,
        "token_format": "DG1.<base64url JSON {k,s,c,e}>.<base64url Ed25519 signature of the text before the last dot>",
        "keys": [
            {
                "kid": k.kid,
                "x": k.public_key,
                "status": "retired" if k.retired_at else "active",
                "created_at": k.created_at,
            }
            for k in keys
        ],
    }


@router.get("/stores/{public_id}/revocations", auth=merchant_or_key, response=RevocationsOut)
def revocations(request, public_id: str):
    """Codes of the store's coupons that were cancelled before they expired (for offline checks)."""
    store, _who = store_for_actor(request, public_id)
    now = timezone.now()
    codes = Coupon.objects.filter(store=store, status=CouponStatus.REVOKED, expires_at__gt=now)
    return {"store_id": store.public_id, "generated_at": now, "codes": list(codes.values_list("code", flat=True))}


@router.get("/stores/{public_id}/coupons", response=list[CampaignOut])
def store_coupons(request, public_id: str):
    """Coupons anyone can take from the store page (first come, lottery)."""
    store = public_store(public_id)
    return [_campaign_out(c) for c in Campaign.objects.on_store_page(store)]


@router.get("/stores/{public_id}/campaigns", auth=merchant_or_key, response=list[CampaignStatsOut])
def campaigns(request, public_id: str):
    store, _who = store_for_actor(request, public_id)
    rows = store.coupon_campaigns.listed().with_redeemed()
    return [{**_campaign_out(c), "issued": c.issued_count, "redeemed": c.redeemed} for c in rows]


@router.post("/stores/{public_id}/campaigns", auth=session_auth, response={201: CampaignStatsOut, **errors(503)})
def campaign_create(request, public_id: str, payload: CampaignIn):
    store, _who = store_for_actor(request, public_id)
    terms = payload.dict()
    if payload.valid_days is not None:  # days after issue win over dates, as on the page
        terms["valid_from"] = terms["valid_until"] = None
    campaign = Campaign.create_for(store=store, by=request.auth, **terms)
    return Status(201, {**_campaign_out(campaign), "issued": campaign.issued_count, "redeemed": 0})


@router.post(
    "/campaigns/{campaign_id}/claim", auth=session_auth, response={201: ClaimOut, **errors(403, 409, 429, 503)}
)
def claim(request, campaign_id: str):
    """Take a coupon (first come, attached to a message you received, or a lottery draw)."""
    coupon = claimable_campaign(campaign_id).claim(customer=request.auth, address=client_address(request))
    if coupon is None:
        return Status(201, {"won": False, "coupon": None})
    return Status(201, {"won": True, "coupon": _coupon_out(coupon, with_token=True)})


@router.get("/wallet", auth=session_auth, response=WalletOut)
def wallet(request):
    """Usable coupons first (soonest to expire first), then used, expired and cancelled ones."""
    now = timezone.now()
    usable = Coupon.objects.usable_by(request.auth, now=now).select_related("signing_key")
    past = Coupon.objects.history_of(request.auth, now=now)[:100]
    return {
        "usable": [_coupon_out(c, with_token=True, now=now) for c in usable],
        "past": [_coupon_out(c, now=now) for c in past],
    }


@router.get("/wallet/{coupon_id}", auth=session_auth, response=CouponOut)
def wallet_coupon(request, coupon_id: str):
    return _coupon_out(own_coupon(request.auth, coupon_id), with_token=True)


@router.post("/wallet/{coupon_id}/use", auth=session_auth, response={201: RedemptionOut, **errors(409, 429)})
def wallet_use(request, coupon_id: str, payload: UseIn):
    """The customer pressed "사용"; the merchant typed the store's PIN on the customer's phone."""
    coupon = own_coupon(request.auth, coupon_id)
    redemption = coupon.redeem_with_pin(customer=request.auth, pin=payload.pin, amount=payload.amount)
    return Status(201, _redemption_out(redemption))


def _presented(request, public_id, payload):
    """(who, coupon, via) for the code or token sent to this store's stall.

    A till's key is read with the coupon in one statement; when that is not a plain yes, the key is checked
    alone (401), then the store (404), then what was sent (400, 404), as on every other route.
    """
    misfiled = payload.code and tokens.looks_like_token(payload.code)
    if isinstance(request.auth, UncheckedKey) and bool(payload.code) != bool(payload.token) and not misfiled:
        found = Coupon.objects.presented_with_key(public_id, payload.token or payload.code, request.auth.plain)
        if found is not None:
            coupon, via, key = found
            request.auth = key
            return {"api_key": key}, coupon, via
    store, who = store_for_actor(request, public_id)
    if bool(payload.code) == bool(payload.token):
        raise ValidationError({"code": [_("쿠폰 번호(code)나 QR 토큰(token) 중 하나만 보내 주세요.")]})
    if misfiled:
        raise ValidationError({"code": [_("QR 토큰은 token으로 보내 주세요.")]})
    coupon, via = Coupon.objects.presented_at(store, payload.token or payload.code)
    return who, coupon, via


@router.post("/stores/{public_id}/coupon-check", auth=stall_merchant_or_key, response=CouponOut)
def coupon_check(request, public_id: str, payload: RedeemIn):
    """What a code or token is worth at this store, without using it."""
    _who, coupon, _via = _presented(request, public_id, payload)
    return _coupon_out(coupon)


@router.post(
    "/stores/{public_id}/redemptions", auth=stall_merchant_or_key, response={201: RedemptionOut, **errors(409, 503)}
)
def redeem(request, public_id: str, payload: RedeemIn):
    """Use a coupon at the stall, by its code or its QR token. Exactly once."""
    who, coupon, via = _presented(request, public_id, payload)
    redemption = coupon.redeem(
        via=Via.API if "api_key" in who else via, amount=payload.amount, client_id=payload.client_id, **who
    )
    return Status(201, _redemption_out(redemption))


@router.post(
    "/stores/{public_id}/redemptions/{redemption_id}/undo",
    auth=merchant_or_key,
    response={200: RedemptionOut, **errors(409)},
    description=f"Put a used coupon back, within {minutes(UNDO_WINDOW)} minutes. "
    "The redemption and the undo both stay on record.",
)
def undo(request, public_id: str, redemption_id: str):
    store, who = store_for_actor(request, public_id)
    redemption = store_redemption(store, redemption_id)
    redemption.undo(**who)
    return _redemption_out(redemption)


class OfflineCampaignOut(Schema):
    id: str
    benefit: str
    min_purchase: int


class OfflineCouponOut(Schema):
    h: str = Field(description="lowercase hex SHA-256 of `dangol:<store id>:<code>` (the 8-character code)")
    campaign: str
    starts_at: int = Field(description="unix seconds")
    expires_at: int = Field(description="unix seconds, exclusive")


class OfflineRulesOut(Schema):
    store_id: str
    generated_at: dt.datetime
    campaigns: list[OfflineCampaignOut]
    coupons: list[OfflineCouponOut] = Field(description="coupons that can be used now or later, newest first")
    used: list[str] = Field(description="hashes of codes already used and not yet expired")


class OfflineRedemptionIn(Schema):
    client_id: str = Field(min_length=8, max_length=64, description="made by the device; a retry sends the same")
    code: str | None = Field(None, description="the 8-character code, hyphen optional")
    token: str | None = Field(None, description="the signed token read from the QR")
    amount: int | None = Field(None, ge=0, le=MAX_WON)
    used_at: dt.datetime = Field(description="when the stall used it, by the device's clock")


class OfflineRedemptionsIn(Schema):
    device: str = Field("", max_length=64, description="the stall device's own id, shown in the double-use report")
    records: list[OfflineRedemptionIn] = Field(max_length=MAX_OFFLINE_BATCH)


class OfflineResultOut(Schema):
    client_id: str
    result: str = Field(description="accepted, double_use (kept and reported to the merchant) or refused")
    detail: str
    redemption_id: str | None = None
    double_use_id: str | None = None


class OfflineResultsOut(Schema):
    results: list[OfflineResultOut]


class UseOut(Schema):
    used_at: dt.datetime
    via: str
    amount: int | None
    by: str = Field(description="the merchant's name, the API key's name, or empty")
    device: str
    offline: bool


class DoubleUseOut(Schema):
    id: str
    code: str
    benefit: str
    kept: UseOut = Field(description="the use that counts: the first by time of use")
    other: UseOut
    received_at: dt.datetime


@router.get("/stores/{public_id}/offline-rules", auth=merchant_or_key, response=OfflineRulesOut)
def offline_rules(request, public_id: str):
    """What a stall device keeps to check typed codes without network (QR tokens verify by signature)."""
    store, _who = store_for_actor(request, public_id)
    return offline.rules_for(store)


@router.post("/stores/{public_id}/offline-redemptions", auth=merchant_or_key, response=OfflineResultsOut)
def offline_redemptions(request, public_id: str, payload: OfflineRedemptionsIn):
    """Uses a stall recorded without network. Each record is answered on its own, exactly once by its
    client_id: a coupon used twice is accepted for the earlier use and the other is reported."""
    store, who = store_for_actor(request, public_id)
    results = []
    for record in payload.records:
        answer = {"client_id": record.client_id}
        try:
            with transaction.atomic():
                coupon, via = _presented_at(store, record, now=record.used_at)
                outcome, row = coupon.redeem_offline(
                    via=Via.API if "api_key" in who else via,
                    used_at=record.used_at,
                    client_id=record.client_id,
                    amount=record.amount,
                    device=payload.device,
                    **who,
                )
        except (CouponRefused, ValidationError) as refusal:
            results.append({**answer, "result": "refused", "detail": offline.refusal_text(refusal)})
            continue
        if outcome == "accepted":
            results.append({**answer, "result": outcome, "detail": _("사용 완료"), "redemption_id": row.public_id})
        else:
            detail = _("두 번 쓰인 쿠폰입니다. 먼저 쓴 기록을 남기고 사장님께 알려 드립니다.")
            results.append({**answer, "result": outcome, "detail": detail, "double_use_id": row.public_id})
    return {"results": results}


@router.get("/stores/{public_id}/double-uses", auth=merchant_or_key, response=list[DoubleUseOut])
def double_uses(request, public_id: str):
    """Coupons used twice while the stall was offline, newest report first (the last 90 days)."""
    store, _who = store_for_actor(request, public_id)
    return [offline.double_use_out(d) for d in DoubleUse.objects.reported_for(store)]


def _presented_at(store, record, *, now):
    if bool(record.code) == bool(record.token):
        raise ValidationError({"code": [_("쿠폰 번호(code)나 QR 토큰(token) 중 하나만 보내 주세요.")]})
    return Coupon.objects.presented_at(store, record.token or record.code, now=now)
