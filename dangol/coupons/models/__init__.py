from .access import ApiKey, PinFailure, StorePin
from .common import MAX_WON, UNDO_WINDOW, CouponRefused, seoul_midnight, seoul_today
from .coupons import (
    CLAIMABLE,
    Campaign,
    CampaignStatus,
    Coupon,
    CouponKind,
    CouponStatus,
    LotteryDraw,
    Method,
    Redemption,
    SigningKey,
    Via,
)

__all__ = [
    "CLAIMABLE",
    "MAX_WON",
    "UNDO_WINDOW",
    "ApiKey",
    "Campaign",
    "CampaignStatus",
    "Coupon",
    "CouponKind",
    "CouponRefused",
    "CouponStatus",
    "LotteryDraw",
    "Method",
    "PinFailure",
    "Redemption",
    "SigningKey",
    "StorePin",
    "Via",
    "seoul_midnight",
    "seoul_today",
]
