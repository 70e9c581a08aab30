"""What a stall device needs to keep working without network, and how its records are reported back."""

import hashlib

from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

from dangol.lib.refusals import validation_messages

from .models import Coupon, CouponStatus

MAX_OFFLINE_CODES = 20_000  # newest first; older coupons still verify offline by their QR signature


def code_hash(store, code):
    """What the device stores instead of the code, so a lost phone doesn't hand out typeable codes."""
    return hashlib.sha256(f"dangol:{store.public_id}:{code}".encode()).hexdigest()


def rules_for(store, *, now=None):
    """Campaign terms and hashed codes of the store's coupons that are live now or later."""
    now = now or timezone.now()
    live = Coupon.objects.filter(store=store, expires_at__gt=now)
    usable = (
        live.filter(status=CouponStatus.ISSUED)
        .order_by("-issued_at")
        .values_list("code", "campaign__public_id", "starts_at", "expires_at")[:MAX_OFFLINE_CODES]
    )
    campaigns = store.coupon_campaigns.filter(coupons__in=live.filter(status=CouponStatus.ISSUED)).distinct()
    used = live.filter(status=CouponStatus.REDEEMED).values_list("code", flat=True)[:MAX_OFFLINE_CODES]
    return {
        "store_id": store.public_id,
        "generated_at": now,
        "campaigns": [{"id": c.public_id, "benefit": c.benefit, "min_purchase": c.min_purchase} for c in campaigns],
        "coupons": [
            {
                "h": code_hash(store, code),
                "campaign": campaign_id,
                "starts_at": int(starts_at.timestamp()),
                "expires_at": int(expires_at.timestamp()),
            }
            for code, campaign_id, starts_at, expires_at in usable
        ],
        "used": [code_hash(store, code) for code in used],
    }


def refusal_text(refusal):
    if isinstance(refusal, ValidationError):
        return " ".join(message for messages in validation_messages(refusal).values() for message in messages)
    return refusal.message


def _who(user, api_key):
    if api_key is not None:
        return api_key.name
    return (user.name or user.masked_phone) if user is not None else ""


def double_use_out(double):
    kept = double.kept
    return {
        "id": double.public_id,
        "code": double.coupon.display_code,
        "benefit": double.coupon.campaign.benefit,
        "kept": {
            "used_at": kept.created_at,
            "via": kept.via,
            "amount": kept.amount,
            "by": _who(kept.redeemed_by, kept.api_key),
            "device": kept.device,
            "offline": kept.synced_at is not None,
        },
        "other": {
            "used_at": double.used_at,
            "via": double.via,
            "amount": double.amount,
            "by": _who(double.recorded_by, double.api_key),
            "device": double.device,
            "offline": bool(double.client_id),
        },
        "received_at": double.received_at,
    }


def stall_offline_config(store):
    """What the stall screen's script needs, as a json_script block: addresses and the words it shows."""
    api = f"/api/v1/stores/{store.public_id}"
    return {
        "store": store.public_id,
        "keys": f"{api}/keys",
        "revocations": f"{api}/revocations",
        "rules": f"{api}/offline-rules",
        "redemptions": f"{api}/offline-redemptions",
        "stamps": f"{api}/offline-stamps",
        "ed25519": static("coupons/vendor/noble-ed25519-3.0.1/index.js"),
        "text": {
            "bad_qr": _("이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요."),
            "expired": _("사용 기간이 지난 쿠폰입니다."),
            "not_yet": _("아직 쓸 수 없는 쿠폰입니다."),
            "revoked": _("가게에서 취소한 쿠폰이라 쓸 수 없습니다."),
            "used": _("이미 사용한 쿠폰입니다."),
            "used_here": _("이미 사용한 쿠폰입니다. ({when} 이 기기에서 사용)"),
            "no_code": _("쿠폰 번호 8자리를 입력해 주세요. (예: ABCD-EFGH)"),
            "unknown_code": _(
                "이 가게에서 쓸 수 있는 쿠폰 번호가 아닙니다. 마지막 동기화 뒤에 나간 쿠폰이면 QR을 찍어 주세요."
            ),
            "min_purchase": _("{amount}원 이상 살 때 쓸 수 있는 쿠폰입니다."),
            "no_data": _("이 기기에 저장된 쿠폰 정보가 없습니다. 인터넷이 될 때 이 화면을 한 번 열어 주세요."),
            "recorded": _("사용 처리 (인터넷 연결 대기): {benefit} ({code})"),
            "unknown_benefit": _("쿠폰"),
            "stamp_recorded": _("도장 기록 (인터넷이 돌아오면 확인합니다)"),
            "bad_member": _("손님 QR을 확인할 수 없습니다. 손님 화면의 QR을 새로 띄워 달라고 해 주세요."),
            "member_again": _("이미 기록한 손님 QR입니다. 손님 화면의 QR을 새로 띄워 달라고 해 주세요."),
            "stamp": _("도장"),
            "pending": _("보내기 기다림"),
            "refused": _("받아들여지지 않음"),
            "dismiss": _("지우기"),
            "synced": _("기록 {n}건을 보냈습니다."),
            "double_use": _("두 번 쓰인 쿠폰이 있습니다: {code}. 아래 '두 번 쓰인 쿠폰'에서 두 기록을 확인하세요."),
            "reload": _("새로 고치면 최근 사용 목록에 나옵니다."),
            # Translators: when the stall last synced, e.g. "3월 5일 14:05"; keep {month}, {day} and {time}.
            "synced_at": _("{month}월 {day}일 {time}"),
        },
    }
