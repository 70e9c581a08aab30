from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dangol.accounts.services import client_address
from dangol.channels.access import managed_store, public_store
from dangol.channels.models import Follow
from dangol.lib.phones import mask_phone
from dangol.lib.refusals import refusals_shown
from dangol.messaging.models import MessageKind

from .forms import StallCodeForm, StallSignupForm
from .models import Channel, ChannelChoice, MessageCredit, StallSignup
from .push import application_server_key
from .services import message_reach, sms_prices
from .stall import stall_signup_confirm, stall_signup_start


@login_required
def reach(request, public_id, message_id):
    """How far one message went, for the store's merchants."""
    store = managed_store(request.user, public_id)
    message = get_object_or_404(store.messages.exclude(kind=MessageKind.NOTICE), public_id=message_id)
    return render(request, "delivery/reach.html", {"store": store, "message": message, "reach": message_reach(message)})


@login_required
def channels(request):
    """Per store, how its messages reach me: push, SMS or the inbox only."""
    follows = list(Follow.objects.active().filter(customer=request.user).select_related("store"))
    if request.method == "POST":
        store = public_store(request.POST.get("store", ""))
        with refusals_shown(request):
            ChannelChoice.choose(customer=request.user, store=store, channel=request.POST.get("channel", ""))
            messages.success(request, _("{store}의 소식을 받는 방법을 바꿨습니다.").format(store=store.name))
        return redirect("delivery:channels")
    chosen = dict(ChannelChoice.objects.filter(customer=request.user).values_list("store_id", "channel"))
    rows = [(follow.store, chosen.get(follow.store_id, Channel.PUSH)) for follow in follows]
    return render(
        request,
        "delivery/channels.html",
        {"rows": rows, "choices": Channel.choices, "application_server_key": application_server_key()},
    )


def service_worker(request):
    """The push service worker. Its scope is /push/, where no page lives: the site's offline worker
    (coupons) holds the scope "/", and a scope has one worker, so pushes get a registration of their own."""
    path = Path(__file__).parent / "static" / "delivery" / "sw.js"
    response = HttpResponse(path.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def stall_signup(request, public_id):
    """Step 1 of following by SMS alone: the customer's number and the choices they said aloud."""
    store = managed_store(request.user, public_id)
    form = StallSignupForm(request.POST or None)
    if form.is_valid():
        with refusals_shown(request, form=form):
            signup = stall_signup_start(
                store=store,
                merchant=request.user,
                phone=form.cleaned_data["phone"],
                ads=form.cleaned_data["ads"] == "yes",
                night=form.cleaned_data["night"] == "yes",
                address=client_address(request),
            )
            return redirect("delivery:stall_confirm", store.public_id, signup.public_id)
    credit = MessageCredit.objects.filter(market_id=store.market_id).values_list("balance", flat=True).first() or 0
    context = {"store": store, "form": form, "credit": credit, "receipt_price": sms_prices()[1]}
    return render(request, "delivery/stall_signup.html", context)


@login_required
def stall_confirm(request, public_id, signup_id):
    """Step 2: the code the customer reads back from their text."""
    store = managed_store(request.user, public_id)
    signup = get_object_or_404(StallSignup, store=store, public_id=signup_id)
    form = StallCodeForm(request.POST or None)
    if form.is_valid():
        with refusals_shown(request, form=form):
            stall_signup_confirm(signup=signup, code=form.cleaned_data["code"])
            messages.success(
                request,
                _("{phone} 손님이 단골이 되었습니다. 소식은 문자로 갑니다.").format(phone=mask_phone(signup.phone)),
            )
            return redirect("delivery:stall_signup", store.public_id)
    context = {"store": store, "signup": signup, "form": form, "phone": mask_phone(signup.phone)}
    return render(request, "delivery/stall_confirm.html", context)
