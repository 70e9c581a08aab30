from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from dangol.accounts.services import client_address
from dangol.channels.access import managed_store, public_store
from dangol.lib.api import errors, session_auth
from dangol.lib.phones import mask_phone

from .models import Channel, ChannelChoice, PushSubscription, StallSignup, subscription_save
from .push import application_server_key
from .services import sms_preview
from .stall import stall_signup_confirm, stall_signup_start

router = Router(tags=["delivery"])


class PushKeysIn(Schema):
    p256dh: str = Field(description="브라우저의 P-256 공개키 (base64url, 65바이트)")
    auth: str = Field(description="인증 비밀값 (base64url, 16바이트)")


class PushSubscriptionIn(Schema):
    endpoint: str = Field(description="PushSubscription.endpoint (https)")
    keys: PushKeysIn


class PushSubscriptionOut(Schema):
    endpoint: str


class PushEndpointIn(Schema):
    endpoint: str


class VapidKeyOut(Schema):
    application_server_key: str


class ChannelChoiceIn(Schema):
    channel: Channel = Field(description="push(푸시), sms(문자) 또는 inbox(앱 알림함만)")


class ChannelChoiceOut(Schema):
    store_id: str
    channel: Channel


@router.get("/push/key", response=VapidKeyOut, summary="푸시 구독에 쓸 서버 키(VAPID)")
def push_key(request):
    return {"application_server_key": application_server_key()}


@router.post(
    "/push/subscriptions", auth=session_auth, response={201: PushSubscriptionOut, **errors()}, summary="푸시 켜기"
)
def push_subscribe(request, data: PushSubscriptionIn):
    subscription = subscription_save(
        customer=request.user, endpoint=data.endpoint, p256dh=data.keys.p256dh, auth=data.keys.auth
    )
    return Status(201, {"endpoint": subscription.endpoint})


@router.post("/push/subscriptions/delete", auth=session_auth, response={204: None, **errors(404)}, summary="푸시 끄기")
def push_unsubscribe(request, data: PushEndpointIn):
    get_object_or_404(PushSubscription, customer=request.user, endpoint=data.endpoint).delete()
    return Status(204, None)


@router.put(
    "/stores/{store_id}/channel", auth=session_auth, response=ChannelChoiceOut, summary="이 가게 소식을 받는 방법"
)
def channel_choose(request, store_id: str, data: ChannelChoiceIn):
    store = public_store(store_id)
    choice = ChannelChoice.choose(customer=request.user, store=store, channel=data.channel)
    return {"store_id": store.public_id, "channel": choice.channel}


class SmsPreviewIn(Schema):
    kind: str = Field(description="info 또는 ad")
    body: str = Field("", description="보낼 내용 (문자 한 통 값이 길이에 따라 다릅니다)")


class SmsPreviewOut(Schema):
    count: int = Field(description="문자로 받을 단골 수")
    each: int = Field(description="한 통 값(원)")
    total: int = Field(description="모두 합한 값(원)")
    credit: int = Field(description="시장의 문자 충전금(원)")
    enough: bool


@router.post("/stores/{store_id}/sms-preview", auth=session_auth, response=SmsPreviewOut, summary="보내기 전 문자 비용")
def sms_cost_preview(request, store_id: str, data: SmsPreviewIn):
    store = managed_store(request.user, store_id)
    return sms_preview(store=store, kind=data.kind, body=data.body)


class StallSignupIn(Schema):
    phone: str = Field(description="손님 휴대폰 번호 (010-1234-5678)")
    ads: bool = Field(description="광고 문자를 받겠다고 했는지")
    night: bool = Field(False, description="밤(21시~08시) 광고 문자도 받겠다고 했는지 (광고를 받을 때만)")


class StallSignupOut(Schema):
    signup_id: str = Field(description="확인번호를 보낼 때 쓰는 등록 번호")
    phone: str = Field(description="가려진 번호 (010-****-5678)")
    ads: bool
    night: bool
    expires_at: datetime


class StallCodeIn(Schema):
    code: str = Field(description="손님이 문자로 받아 불러 준 확인번호 6자리")


class StallFollowOut(Schema):
    store_id: str
    phone: str = Field(description="가려진 번호 (010-****-5678)")
    ads: bool
    night: bool
    channel: Channel


@router.post(
    "/stores/{store_id}/regulars/by-sms",
    auth=session_auth,
    response={201: StallSignupOut, **errors(409, 429, 503)},
    summary="가게에서 문자로 단골 등록: 손님께 확인번호 보내기",
)
def stall_signup_start_api(request, store_id: str, data: StallSignupIn):
    store = managed_store(request.auth, store_id)
    signup = stall_signup_start(
        store=store,
        merchant=request.auth,
        phone=data.phone,
        ads=data.ads,
        night=data.night,
        address=client_address(request),
    )
    return Status(201, _stall_signup_out(signup))


@router.post(
    "/stores/{store_id}/regulars/by-sms/{signup_id}/confirm",
    auth=session_auth,
    response={200: StallFollowOut, **errors(409, 429)},
    summary="가게에서 문자로 단골 등록: 손님이 불러 준 확인번호로 등록",
)
def stall_signup_confirm_api(request, store_id: str, signup_id: str, data: StallCodeIn):
    store = managed_store(request.auth, store_id)
    signup = get_object_or_404(StallSignup, store=store, public_id=signup_id)
    follow = stall_signup_confirm(signup=signup, code=data.code)
    return {
        "store_id": store.public_id,
        "phone": mask_phone(signup.phone),
        "ads": follow.ads_consent,
        "night": follow.night_consent,
        "channel": Channel.SMS,
    }


def _stall_signup_out(signup):
    return {
        "signup_id": signup.public_id,
        "phone": mask_phone(signup.phone),
        "ads": signup.ads,
        "night": signup.night,
        "expires_at": signup.expires_at,
    }
