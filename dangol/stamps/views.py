import datetime as dt

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dangol.channels.access import managed_store
from dangol.lib.refusals import refusals_shown

from .forms import MemberStampForm, StampProgramForm
from .members import MAX_AGE, member_token
from .models import BAD_QR, UNUSUAL_PER_DAY, StampProgram, StampRefused, StampToken, flagged_stamps
from .services import stamp_program_start

SESSION_SCANS = "stamp_scans"


@login_required
def program(request, public_id):
    store = managed_store(request.user, public_id)
    current = StampProgram.objects.in_use_at(store)
    form = StampProgramForm(request.POST or None) if current is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        with refusals_shown(request, form=form):
            stamp_program_start(
                store=store,
                by=request.user,
                goal=data["goal"],
                reward=data["reward"],
                reward_days=data["reward_days"],
                milestone=data["milestone"],
                milestone_at=data["mid_at"],
                expires_after_days=data["expires_after_days"],
                expires_from=data["expires_from"],
                limit_mode=data["limit_mode"],
                limit_hours=data["limit_hours"],
            )
            messages.success(request, _("스탬프 카드를 시작했습니다. 계산대 화면에 도장 QR이 나옵니다."))
            return redirect("stamps:program", public_id=store.public_id)
    since = timezone.now() - dt.timedelta(days=7)
    context = {
        "store": store,
        "program": current,
        "form": form,
        "recent": store.stamps.select_related("customer")[:20],
        "flagged": flagged_stamps(store, since=since)[:20],
        "unusual_per_day": UNUSUAL_PER_DAY,
    }
    return render(request, "stamps/program.html", context)


@login_required
@require_POST
def program_end(request, public_id):
    store = managed_store(request.user, public_id)
    current = StampProgram.objects.in_use_at(store)
    if current is not None and current.end():
        messages.success(request, _("스탬프 카드를 끝냈습니다. 이미 받은 보상 쿠폰은 그대로 쓸 수 있습니다."))
    return redirect("stamps:program", public_id=store.public_id)


@login_required
@xframe_options_sameorigin
@csp_update({"frame-ancestors": ["'self'"]})  # the stall screen frames this page; nothing else may
def stall_qr(request, public_id):
    """The rotating QR, in a frame on the stall screen that reloads itself every few seconds."""
    store = managed_store(request.user, public_id)
    current = StampProgram.objects.in_use_at(store)
    if current is None:
        raise Http404
    token = StampToken.current(current)
    url = request.build_absolute_uri(reverse("stamps:scan", args=[token.nonce]))
    return render(request, "stamps/stall_qr.html", {"store": store, "token": token, "url": url})


@login_required
@require_POST
def give(request, public_id):
    store = managed_store(request.user, public_id)
    current = StampProgram.objects.in_use_at(store)
    form = MemberStampForm(request.POST)
    try:
        if current is None:
            raise StampRefused(_("먼저 스탬프 카드를 만들어 주세요."))
        if not form.is_valid():
            raise StampRefused(_("손님 QR을 찍어 주세요."))
        stamp = current.give_to_member(form.cleaned_data["token"], by=request.user)
    except StampRefused as refusal:
        messages.error(request, str(refusal), extra_tags="big")
    else:
        done = _("도장을 찍었습니다. ({n}/{goal})").format(n=stamp.number, goal=current.goal)
        messages.success(request, done, extra_tags="big")
    return redirect("coupons:stall", public_id=store.public_id)


def _scanned_at(request, nonce, now):
    """When this browser first opened the QR: kept in the session so signing in doesn't make it late."""
    scans = request.session.get(SESSION_SCANS, {})
    if nonce in scans:
        return dt.datetime.fromisoformat(scans[nonce])
    return now


def _remember_scan(request, nonce, when):
    scans = request.session.get(SESSION_SCANS, {})
    if nonce not in scans:
        scans = dict(list(scans.items())[-4:])
        scans[nonce] = when.isoformat()
        request.session[SESSION_SCANS] = scans


def scan(request, nonce):
    """What the customer's phone camera opens: a plain URL, no app."""
    now = timezone.now()
    token = StampToken.objects.select_related("program__store").filter(nonce=nonce).first()
    scanned_at = _scanned_at(request, nonce, now)
    if token is None or not token.was_valid_at(scanned_at, now):
        return render(request, "stamps/scan.html", {"error": BAD_QR}, status=410)
    _remember_scan(request, nonce, scanned_at)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            stamp = token.use(customer=request.user, scanned_at=scanned_at, now=now)
        except StampRefused as refusal:
            return render(
                request, "stamps/scan.html", {"error": str(refusal), "store": token.program.store}, status=409
            )
        request.session[SESSION_SCANS] = {k: v for k, v in request.session[SESSION_SCANS].items() if k != nonce}
        messages.success(request, _("도장을 받았습니다!"))
        return redirect(reverse("stamps:cards") + f"#card-{stamp.card.public_id}")
    return render(request, "stamps/scan.html", {"token": token, "store": token.program.store})


@login_required
def cards(request):
    mine = request.user.stamp_cards.select_related("program__store", "program__reward").order_by("-last_stamp_at")
    context = {
        "cards": mine,
        "member_token": member_token(request.user),
        "member_minutes": MAX_AGE // 60,
        "now": timezone.now(),
    }
    return render(request, "stamps/cards.html", context)
