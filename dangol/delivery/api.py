from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from dangol.channels.access import managed_store, public_store
from dangol.lib.api import errors, session_auth

from .models import Channel, ChannelChoice, PushSubscription, subscription_save
from .push import application_server_key
from .services import sms_preview

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
