from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status

from dangol.lib.api import errors, session_auth

from .access import active_follow, managed_store, public_store, shown_store
from .forms import StoreProfileForm
from .models import ConsentKind, ConsentVia
from .services import consent_change, follow_end, follow_start

router = Router(tags=["stores"])


class StoreOut(Schema):
    id: str = Field(alias="public_id")
    name: str
    category: str
    stall_number: str
    description: str
    opening_hours: str
    phone: str
    market_id: str
    market_name: str
    follower_count: int

    @staticmethod
    def resolve_market_id(store):
        return store.market.public_id

    @staticmethod
    def resolve_market_name(store):
        return store.market.name

    @staticmethod
    def resolve_follower_count(store):
        return store.follows.active().count()


class StorePatch(Schema):
    name: str | None = None
    category: str | None = None
    stall_number: str | None = None
    description: str | None = None
    opening_hours: str | None = None
    phone: str | None = None


class FollowIn(Schema):
    collection: bool = Field(description="개인정보(휴대폰 번호) 수집·이용 동의. 반드시 true.")
    ads: bool = False
    night: bool = False
    share_phone: bool = False


class FollowOut(Schema):
    store_id: str
    ads_consent: bool
    night_consent: bool
    share_phone: bool
    started_at: str

    @staticmethod
    def resolve_store_id(follow):
        return follow.store.public_id

    @staticmethod
    def resolve_started_at(follow):
        return follow.started_at.isoformat()


class ConsentIn(Schema):
    kind: ConsentKind = Field(description="ads 또는 night")
    given: bool


class FollowerOut(Schema):
    phone: str
    since: str
    ads_consent: bool


def _active_follow(request, store):
    follow = active_follow(request.auth, store)
    if follow is None:
        raise Http404
    return follow


@router.get("/stores/{public_id}", response=StoreOut)
def store_detail(request, public_id: str):
    return shown_store(request.user, public_id)


@router.patch("/stores/{public_id}", auth=session_auth, response=StoreOut)
def store_update(request, public_id: str, payload: StorePatch):
    store = managed_store(request.auth, public_id)
    changes = payload.model_dump(exclude_unset=True)
    current = StoreProfileForm(instance=store).initial
    form = StoreProfileForm({**current, **changes}, instance=store)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    form.save()
    return store


@router.post("/stores/{public_id}/follow", auth=session_auth, response={201: FollowOut, **errors(409)})
def follow(request, public_id: str, payload: FollowIn):
    store = public_store(public_id)
    created = follow_start(customer=request.auth, store=store, via=ConsentVia.API, **payload.model_dump())
    return Status(201, created)


@router.delete("/stores/{public_id}/follow", auth=session_auth, response={204: None})
def unfollow(request, public_id: str):
    follow_end(follow=_active_follow(request, public_store(public_id)), via=ConsentVia.API)
    return Status(204, None)


@router.put("/stores/{public_id}/consent", auth=session_auth, response=FollowOut)
def consent(request, public_id: str, payload: ConsentIn):
    current = _active_follow(request, public_store(public_id))
    consent_change(follow=current, kind=payload.kind, given=payload.given, via=ConsentVia.API)
    return current


@router.get("/stores/{public_id}/followers", auth=session_auth, response=list[FollowerOut])
def followers(request, public_id: str):
    store = managed_store(request.auth, public_id)
    return [
        {"phone": f.phone_for_store, "since": f.started_at.isoformat(), "ads_consent": f.ads_consent}
        for f in store.follows.for_merchant_list()
    ]
