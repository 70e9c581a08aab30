import json
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.accounts.services import client_address
from dangol.channels.access import managed_store, public_store
from dangol.lib.refusals import refusals_shown
from dangol.messaging.models import MessageKind
from dangol.messaging.services import message_preview, message_send_to_self

from .access import claimable_campaign, own_coupon, store_campaign, store_redemption
from .forms import (
    AMOUNT_PRESETS,
    PERCENT_PRESETS,
    STEP_NAMES,
    ApiKeyForm,
    CampaignSteps,
    CouponMessageForm,
    PinForm,
    RedeemForm,
    SetPinForm,
    step_of,
)
from .models import (
    MAX_PRESENTED,
    UNDO_WINDOW,
    ApiKey,
    Campaign,
    Coupon,
    CouponStatus,
    DoubleUse,
    SigningKey,
    StorePin,
    minutes,
)
from .offline import stall_offline_config
from .services import campaign_message_send

# The message a merchant was writing when they went to make a coupon for it, kept for their return.
DRAFT_KEY = "coupons.message-draft.{}"


def _next_or(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# Merchant: campaigns --------------------------------------------------------------------------


@login_required
def campaign_list(request, public_id):
    store = managed_store(request.user, public_id)
    campaigns = store.coupon_campaigns.listed().with_redeemed()
    return render(request, "coupons/campaign_list.html", {"store": store, "campaigns": campaigns})


@login_required
def campaign_new(request, public_id):
    """The new-coupon form in three small steps (see `CampaignSteps`); from the message screen
    (`for=message`) the coupon is made to go with a message and the merchant returns to write it."""
    store = managed_store(request.user, public_id)
    for_message = (request.POST.get("for") or request.GET.get("for")) == "message"
    starting = request.method != "POST" or request.POST.get("step") == "start"  # "start": from the message screen
    steps = CampaignSteps(None if starting else request.POST, for_message=for_message)
    draft = request.POST.get("body", "")  # what the merchant had written on the message screen
    steps.advance(check=lambda terms: Campaign(store=store, created_by=request.user, **terms).clean())
    if steps.finishing and steps.form.is_valid():
        with refusals_shown(request, form=steps.form) as making:
            campaign = Campaign.create_for(store=store, by=request.user, **steps.form.terms())
            messages.success(request, _("쿠폰을 만들었습니다."))
        if making.ok:
            if for_message:
                request.session[DRAFT_KEY.format(campaign.public_id)] = draft
                return redirect("coupons:campaign_message", public_id=store.public_id, campaign_id=campaign.public_id)
            return redirect(campaign)
        steps.show(min((step_of(f) for f in steps.form.errors), key=STEP_NAMES.index, default=steps.step))
    context = {
        "store": store,
        "form": steps.form,
        "steps": steps,
        "draft": draft,
        "amount_presets": AMOUNT_PRESETS,
        "percent_presets": PERCENT_PRESETS,
    }
    return render(request, "coupons/campaign_form.html", context)


@login_required
def campaign_detail(request, public_id, campaign_id):
    store = managed_store(request.user, public_id)
    campaign = store_campaign(store, campaign_id)
    stats = campaign.coupons.aggregate(
        redeemed=Count("id", filter=Q(status=CouponStatus.REDEEMED)),
        revoked=Count("id", filter=Q(status=CouponStatus.REVOKED)),
    )
    context = {"store": store, "campaign": campaign, "stats": stats, "message_form": CouponMessageForm()}
    return render(request, "coupons/campaign_detail.html", context)


@login_required
@require_POST
def campaign_give(request, public_id, campaign_id):
    campaign = store_campaign(managed_store(request.user, public_id), campaign_id)
    with refusals_shown(request):
        count = campaign.issue_to_followers()
        given = ngettext("단골 {n}명에게 쿠폰을 줬습니다.", "단골 {n}명에게 쿠폰을 줬습니다.", count)
        messages.success(request, given.format(n=count))
    return redirect(campaign)


@login_required
def campaign_message(request, public_id, campaign_id):
    """The message screen with this coupon attached: a preview as regulars will see it, "나에게 먼저
    보내기", and "보내기". The plain message screen posts here (`attach`) with what was written so far."""
    store = managed_store(request.user, public_id)
    campaign = store_campaign(store, campaign_id)
    written = (
        request.POST.get("body")
        if "attach" in request.POST
        else request.session.pop(DRAFT_KEY.format(campaign.public_id), "")
    )
    body = written or _("{store}에서 쿠폰을 드립니다: {benefit}\n아래 '쿠폰 받기'를 눌러 받으세요.").format(
        store=store.name, benefit=campaign.benefit
    )
    sending = request.method == "POST" and "attach" not in request.POST
    form = CouponMessageForm(request.POST if sending else None, initial={"body": body})
    action = request.POST.get("action", "send")
    if sending and form.is_valid():
        body = form.cleaned_data["body"]
        with refusals_shown(request, form=form):
            if action == "send":
                campaign_message_send(campaign=campaign, author=request.user, body=body)
                messages.success(request, _("쿠폰을 붙인 메시지를 보냈습니다."))
                return redirect(campaign)
            if action == "test":
                note = _("[쿠폰] {benefit} · {conditions} (보낼 때 '쿠폰 받기' 버튼이 붙습니다)")
                note = note.format(benefit=campaign.benefit, conditions=campaign.conditions)
                message_send_to_self(store=store, author=request.user, kind=MessageKind.AD, body=body, note=note)
                messages.success(request, _("내 받은 메시지함에 먼저 보냈습니다. 확인하고 보내기를 눌러 주세요."))
    shown = request.POST.get("body", "") if sending else body
    context = {"store": store, "campaign": campaign, "form": form, "preview": _preview(store, request.user, shown)}
    return render(request, "coupons/campaign_message.html", context)


def _preview(store, author, body):
    try:
        return message_preview(store=store, author=author, kind=MessageKind.AD, body=body)
    except ValidationError:
        return None  # the form says what is wrong


@login_required
def campaign_paper(request, public_id, campaign_id):
    store = managed_store(request.user, public_id)
    campaign = store_campaign(store, campaign_id)
    coupons = campaign.coupons.filter(customer__isnull=True).select_related("signing_key", "store").order_by("id")
    return render(request, "coupons/paper.html", {"store": store, "campaign": campaign, "coupons": coupons})


@login_required
@require_POST
def campaign_end(request, public_id, campaign_id):
    campaign = store_campaign(managed_store(request.user, public_id), campaign_id)
    if request.POST.get("revoke") == "1":
        count = campaign.revoke_unused()
        cancelled = ngettext("아직 안 쓴 쿠폰 {n}장을 취소했습니다.", "아직 안 쓴 쿠폰 {n}장을 취소했습니다.", count)
        messages.success(request, cancelled.format(n=count))
    elif campaign.end():
        messages.success(request, _("쿠폰 나눠 주기를 끝냈습니다. 이미 받은 쿠폰은 기간 안에 쓸 수 있습니다."))
    return redirect(campaign)


# Merchant: the stall screen -------------------------------------------------------------------


def _stall(request, store, form, status=200):
    now = timezone.now()
    since = now - UNDO_WINDOW * 6
    recent = store.redemptions.filter(created_at__gte=since).select_related("coupon__campaign")[:10]
    context = {
        "store": store,
        "form": form,
        "recent": recent,
        "now": now,
        "undo_minutes": minutes(UNDO_WINDOW),
        "max_presented": MAX_PRESENTED,
        "double_uses": DoubleUse.objects.reported_for(store, now=now)[:20],
        "offline_config": stall_offline_config(store),
    }
    return render(request, "coupons/stall.html", context, status=status)


@login_required
def stall(request, public_id):
    return _stall(request, managed_store(request.user, public_id), RedeemForm())


@login_required
@require_POST
def stall_redeem(request, public_id):
    store = managed_store(request.user, public_id)
    form = RedeemForm(request.POST)
    if form.is_valid():
        with refusals_shown(request, form=form):
            coupon, via = Coupon.objects.presented_at(store, form.cleaned_data["code"])
            coupon.redeem(via=via, by=request.user, amount=form.cleaned_data["amount"])
            messages.success(
                request,
                _("사용 완료: {benefit} ({code})").format(benefit=coupon.campaign.benefit, code=coupon),
                extra_tags="big",
            )
            return redirect("coupons:stall", public_id=store.public_id)
    return _stall(request, store, form, status=400)


@login_required
@require_POST
def stall_undo(request, public_id, redemption_id):
    store = managed_store(request.user, public_id)
    redemption = store_redemption(store, redemption_id)
    with refusals_shown(request):
        redemption.undo(by=request.user)
        messages.success(request, _("사용 처리를 되돌렸습니다. 손님이 쿠폰을 다시 쓸 수 있습니다."))
    return redirect("coupons:stall", public_id=store.public_id)


@login_required
def pin(request, public_id):
    store = managed_store(request.user, public_id)
    form = SetPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            StorePin.set(store=store, pin=form.cleaned_data["pin"])
            messages.success(request, _("가게 확인 번호를 정했습니다. 손님 휴대폰에서 쿠폰을 쓸 때 눌러 주세요."))
            return redirect("coupons:stall", public_id=store.public_id)
    has_pin = StorePin.objects.filter(store=store).exists()
    return render(request, "coupons/pin.html", {"store": store, "form": form, "has_pin": has_pin})


@login_required
def api_keys(request, public_id):
    store = managed_store(request.user, public_id)
    form = ApiKeyForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as creating:
            _key, plain = ApiKey.create_for(store=store, name=form.cleaned_data["name"], by=request.user)
        if creating.ok:
            form = ApiKeyForm()
    context = {
        "store": store,
        "form": form,
        "plain": plain,
        "keys": store.api_keys.all(),
        "signing_keys": SigningKey.objects.published(store),
    }
    return render(request, "coupons/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request, public_id, key_id):
    store = managed_store(request.user, public_id)
    if get_object_or_404(store.api_keys, public_id=key_id).revoke():
        messages.success(request, _("계산대 연동을 끊었습니다. 이 번호로는 더 이상 쓸 수 없습니다."))
    return redirect("coupons:api_keys", public_id=store.public_id)


@login_required
@require_POST
def signing_key_rotate(request, public_id):
    store = managed_store(request.user, public_id)
    SigningKey.rotate(store=store, compromised=request.POST.get("compromised") == "1")
    messages.success(request, _("쿠폰 확인 표시를 새로 만들었습니다. 이미 나간 쿠폰도 계속 쓸 수 있습니다."))
    return redirect("coupons:api_keys", public_id=store.public_id)


# Customers ------------------------------------------------------------------------------------


def store_coupons(request, public_id):
    store = public_store(public_id)
    campaigns = Campaign.objects.on_store_page(store)
    return render(request, "coupons/store_coupons.html", {"store": store, "campaigns": campaigns})


@login_required
def claim(request, campaign_id):
    campaign = claimable_campaign(campaign_id)
    back = _next_or(request, reverse("coupons:store_coupons", args=[campaign.store.public_id]))
    if request.method != "POST":
        return redirect(back)
    with refusals_shown(request):
        coupon = campaign.claim(customer=request.user, address=client_address(request))
        if coupon is None:
            messages.info(request, _("아쉽지만 당첨되지 않았습니다. 다음에 또 만나요!"))
            return redirect(back)
        messages.success(request, _("쿠폰을 받았습니다! 가게에서 이 화면을 보여 주세요."))
        return redirect(coupon)
    return redirect(back)


@login_required
def wallet(request):
    now = timezone.now()
    context = {
        "usable": Coupon.objects.usable_by(request.user, now=now),
        "past": Coupon.objects.history_of(request.user, now=now)[:50],
        "now": now,
    }
    return render(request, "coupons/wallet.html", context)


@login_required
def wallet_coupon(request, coupon_id):
    coupon = own_coupon(request.user, coupon_id)
    state = coupon.state()
    token = coupon.token() if state in ("usable", "not_yet") else None
    context = {"coupon": coupon, "state": state, "token": token, "now": timezone.now()}  # now: "마지막 동기화"
    return render(request, "coupons/wallet_coupon.html", context)


@login_required
def wallet_use(request, coupon_id):
    coupon = own_coupon(request.user, coupon_id)
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            coupon.redeem_with_pin(
                customer=request.user, pin=form.cleaned_data["pin"], amount=form.cleaned_data["amount"]
            )
            messages.success(request, _("사용 완료! 사장님께 이 화면을 보여 주세요."))
            return redirect(coupon)
    return render(request, "coupons/wallet_use.html", {"coupon": coupon, "form": form})


# Working without network --------------------------------------------------------------------


@cache
def _service_worker_source():
    return (Path(__file__).parent / "static" / "coupons" / "sw.js").read_bytes()


def service_worker(request):
    """The service worker, from the site root so it may keep the wallet, the cards and the stall."""
    response = HttpResponse(_service_worker_source(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def stall_manifest(request, public_id):
    """The stall screen as an installed app, opening on this store's stall (no sign-in needed to read it)."""
    store = public_store(public_id)
    start = reverse("coupons:stall", args=[store.public_id])
    manifest = {
        "id": start,
        "name": _("{store} 계산대").format(store=store.name),
        "short_name": _("계산대"),
        "lang": get_language() or "ko",
        "start_url": start,
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b4361f",
        "icons": [
            {"src": static("coupons/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("coupons/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    body = json.dumps(manifest, ensure_ascii=False)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
