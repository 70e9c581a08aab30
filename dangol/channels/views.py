import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangol.lib.refusals import refusals_shown
from dangol.messaging.models import InboxItem

from .access import active_follow, managed_store, public_store
from .forms import FollowForm, StoreProfileForm
from .models import AlreadyFollowing, ConsentVia, Follow, Store
from .services import consent_change, follow_end, follow_start


def store_page(request, public_id):
    """A store hidden by reports says it is under review; its merchants (and moderators, who decide
    from it) still see it all."""
    store = public_store(public_id)
    is_owner = store.is_owner(request.user)
    # None, or why it is withheld: "hidden" (under review) or "removed" (a moderator took it down)
    withheld = Store.objects.filter(pk=store.pk).withheld().values_list("report_target__moderation", flat=True).first()
    context = {
        "store": store,
        "follow": active_follow(request.user, store),
        "is_owner": is_owner,
        "follower_count": store.follows.active().count(),
        "withheld": withheld,
        "shown": not withheld or is_owner or request.user.is_staff or request.user.has_perm("reports.moderate"),
    }
    return render(request, "channels/store.html", context)


@login_required
def follow(request, public_id):
    store = public_store(public_id)
    if active_follow(request.user, store):
        messages.info(request, AlreadyFollowing().message)
        return redirect(store)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            started = follow_start(customer=request.user, store=store, via=ConsentVia.WEB, **form.cleaned_data)
            messages.success(request, _("{store}의 단골이 되었습니다!").format(store=store.name))
            for gift in started.welcome_gifts:
                messages.success(request, _("환영 쿠폰 '{gift}'을 쿠폰함에 넣어 드렸습니다.").format(gift=gift))
        if shown.ok:
            return redirect(store)
    return render(request, "channels/follow.html", {"store": store, "form": form})


@login_required
def consent(request, public_id):
    store = public_store(public_id)
    follow = active_follow(request.user, store)
    if follow is None:
        return redirect(store)
    if request.method == "POST":
        with refusals_shown(request):
            given = request.POST.get("given") == "1"
            consent_change(follow=follow, kind=request.POST.get("kind"), given=given, via=ConsentVia.WEB)
            messages.success(request, _("동의 내역을 바꿨습니다. 받은 메시지함에 기록을 남겼습니다."))
        return redirect("channels:consent", public_id=store.public_id)
    events = request.user.consent_events.filter(store=store)[:20]
    return render(request, "channels/consent.html", {"store": store, "follow": follow, "events": events})


@login_required
def unfollow(request, public_id):
    """Asks once (a page with one button), then ends the follow on POST."""
    store = public_store(public_id)
    follow = active_follow(request.user, store)
    if follow is None:
        return redirect(store)
    if request.method == "POST":
        follow_end(follow=follow, via=ConsentVia.UNFOLLOW)
        messages.success(request, _("단골을 해제했습니다. 이 가게는 더 이상 번호를 볼 수 없습니다."))
        return redirect(store)
    return render(request, "channels/unfollow.html", {"store": store, "follow": follow})


@login_required
def my_stores(request):
    follows = list(
        Follow.objects.active().filter(customer=request.user).select_related("store__market").order_by("store__name")
    )
    unread = InboxItem.objects.unread_by_store(request.user)
    for follow in follows:
        follow.unread = unread.get(follow.store.public_id, 0)
    return render(request, "channels/my_stores.html", {"follows": follows})


@login_required
def merchant_home(request):
    stores = list(Store.objects.owned_by(request.user).select_related("market").with_follower_count())
    if len(stores) == 1:
        return redirect("channels:dashboard", public_id=stores[0].public_id)
    return render(request, "channels/merchant_home.html", {"stores": stores})


@login_required
def dashboard(request, public_id):
    store = managed_store(request.user, public_id)
    follows = store.follows.active()
    context = {
        "store": store,
        "follower_count": follows.count(),
        "ad_follower_count": follows.filter(ads_consent=True).count(),
        "recent_messages": store.messages.exclude(kind="notice")[:5],
    }
    return render(request, "channels/dashboard.html", context)


@login_required
def profile(request, public_id):
    store = managed_store(request.user, public_id)
    form = StoreProfileForm(request.POST or None, request.FILES or None, instance=store)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("가게 정보를 저장했습니다."))
        return redirect("channels:dashboard", public_id=store.public_id)
    return render(request, "channels/profile.html", {"store": store, "form": form})


def _store_qr(request, store):
    return segno.make(request.build_absolute_uri(reverse("channels:store", args=[store.public_id])), error="m")


@login_required
def qr_code(request, public_id, fmt):
    store = managed_store(request.user, public_id)
    if fmt not in ("svg", "png"):
        raise Http404
    qr = _store_qr(request, store)
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=10, border=2, title=store.name)
        content_type = "image/svg+xml"
    else:
        qr.save(out, kind="png", scale=20, border=2)
        content_type = "image/png"
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="dangol-{store.public_id}-qr.{fmt}"'
    return response


@login_required
def followers(request, public_id):
    store = managed_store(request.user, public_id)
    return render(request, "channels/followers.html", {"store": store, "follows": store.follows.for_merchant_list()})
