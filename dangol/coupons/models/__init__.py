from .access import ApiKey, PinFailure, StorePin
from .common import MAX_WON, UNDO_WINDOW, CouponRefused, seoul_midnight, seoul_today
from .coupons import (
    CLAIMABLE,
    Campaign,
    CampaignStatus,
    Coupon,
    CouponStatus,
    Kind,
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
    "CouponRefused",
    "CouponStatus",
    "Kind",
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
