import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from dangol.channels.access import managed_store
from dangol.lib.refusals import refusals_shown
from dangol.lib.seoul import to_seoul
from dangol.markets.models import Market

from . import access
from .forms import AddMarketForm, AssignTutorForm, CohortForm, InviteForm, StoreOpenForm, VisitForm
from .models import Cohort, Invitation, Visit
from .progress import STEPS, progress_for, step_counts
from .services import invitation_text, store_open, tutor_assign


def _site(request):
    return request.build_absolute_uri("/").rstrip("/")


def may_start_cohorts(user):
    return user.is_authenticated and (user.is_staff or user.has_perm("program.add_cohort"))


@login_required
def home(request):
    context = {
        "cohorts": Cohort.objects.visible_to(request.user),
        "may_start": may_start_cohorts(request.user),
        "markets": Market.objects.administered_by(request.user) if not request.user.is_staff else Market.objects.none(),
    }
    return render(request, "program/home.html", context)


@login_required
def cohort_new(request):
    if not may_start_cohorts(request.user):
        raise Http404
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            cohort = Cohort.start(by=request.user, **form.cleaned_data)
        if shown.ok:
            return redirect(cohort)
    return render(request, "program/cohort_new.html", {"form": form})


def _progress_page(request, cohort, stores, *, market=None):
    since, before = cohort.period
    progress = progress_for(
        stores.select_related("market").order_by("market__name", "stall_number", "name"), since=since, before=before
    )
    context = {
        "cohort": cohort,
        "market": market,
        "progress": progress,
        "counts": step_counts(progress),
        "total": len(progress),
        "still": [p for p in progress if p.still],
        "silent": [p for p in progress if p.stopped_sending],
        "steps": [str(label) for _key, label in STEPS],
    }
    return context


@login_required
def cohort(request, public_id):
    cohort = access.visible_cohort(request.user, public_id)
    context = _progress_page(request, cohort, access.cohort_stores(request.user, cohort))
    context["markets"] = access.cohort_markets(request.user, cohort)
    if access.is_operator(request.user, cohort):
        context["operator"] = True
        context["add_market"] = AddMarketForm(markets=Market.objects.exclude(cohorts=cohort))
        context["assign"] = AssignTutorForm(
            markets=cohort.markets.all(), stores=access.cohort_stores(request.user, cohort).select_related("market")
        )
        context["assignments"] = cohort.assignments.select_related("tutor", "market", "store")
    return render(request, "program/cohort.html", context)


@login_required
def cohort_market(request, public_id, market_id):
    cohort = access.visible_cohort(request.user, public_id)
    market = access.cohort_market(request.user, cohort, market_id)
    stores = access.cohort_stores(request.user, cohort).filter(market=market)
    return render(request, "program/cohort.html", _progress_page(request, cohort, stores, market=market))


@login_required
def cohort_csv(request, public_id):
    cohort = access.visible_cohort(request.user, public_id)
    since, before = cohort.period
    progress = progress_for(
        access.cohort_stores(request.user, cohort).select_related("market"), since=since, before=before
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dangol-{cohort.public_id}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Korean only with the byte-order mark
    writer = csv.writer(response)
    header = [
        _("시장"),
        _("가게"),
        _("점포 번호"),
        pgettext("regulars count", "단골"),
        _("메시지"),
        _("쿠폰 사용"),
        _("스탬프"),
        _("마친 단계"),
    ]
    writer.writerow(header + [str(label) for _key, label in STEPS] + [_("마지막 활동")])
    for p in progress:
        row = [p.store.market.name, p.store.name, p.store.stall_number, p.regulars, p.messages, p.redemptions, p.stamps]
        row += [f"{p.done}/{len(STEPS)}"] + ["O" if done else "" for _k, _l, done in p.checklist]
        writer.writerow([*row, to_seoul(p.last_moved).strftime("%Y-%m-%d")])
    return response


@login_required
@require_POST
def cohort_add_market(request, public_id):
    cohort = access.operated_cohort(request.user, public_id)
    market = get_object_or_404(Market, public_id=request.POST.get("market", ""))
    with refusals_shown(request):
        cohort.add_market(market)
        messages.success(request, _("{market}을 기수에 넣었습니다.").format(market=market.name))
    return redirect(cohort)


@login_required
@require_POST
def cohort_assign(request, public_id):
    cohort = access.operated_cohort(request.user, public_id)
    market = get_object_or_404(cohort.markets, public_id=request.POST.get("market", ""))
    store_id = request.POST.get("store", "")
    store = get_object_or_404(market.stores, public_id=store_id) if store_id else None
    with refusals_shown(request):
        assignment = tutor_assign(cohort=cohort, phone=request.POST.get("phone", ""), market=market, store=store)
        messages.success(request, _("{tutor}님에게 맡겼습니다.").format(tutor=assignment.tutor))
    return redirect(cohort)


@login_required
def cohort_store(request, public_id, store_id):
    cohort = access.visible_cohort(request.user, public_id)
    store = access.cohort_store(request.user, cohort, store_id)
    since, before = cohort.period
    [progress] = progress_for([store], since=since, before=before)
    context = {
        "cohort": cohort,
        "store": store,
        "p": progress,
        "visits": cohort.visits.filter(store=store).select_related("tutor")[:50],
        "may_log": access.is_tutor_of(request.user, cohort, store),
        "invite": InviteForm(),
        "open_invitations": store.invitations.open().count(),
    }
    return render(request, "program/store.html", context)


@login_required
def visit_new(request, public_id, store_id):
    cohort = access.visible_cohort(request.user, public_id)
    store = access.cohort_store(request.user, cohort, store_id)
    if not access.is_tutor_of(request.user, cohort, store):
        raise Http404
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            Visit.log(cohort=cohort, store=store, tutor=request.user, **form.cleaned_data)
        if shown.ok:
            messages.success(request, _("방문 기록을 남겼습니다."))
            return redirect("program:store", public_id=cohort.public_id, store_id=store.public_id)
    return render(request, "program/visit_new.html", {"cohort": cohort, "store": store, "form": form})


@login_required
def store_new(request, market_id):
    market = access.store_opening_market(request.user, market_id)
    form = StoreOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            store = store_open(market=market, by=request.user, site=_site(request), **form.cleaned_data)
        if shown.ok:
            messages.success(request, _("{store}을 열었습니다.").format(store=store.name))
            return redirect("program:invite", store_id=store.public_id)
    return render(request, "program/store_new.html", {"market": market, "form": form})


@login_required
def invite(request, store_id):
    store = access.supported_store(request.user, store_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            invitation_text(store=store, by=request.user, phone=form.cleaned_data["phone"], site=_site(request))
        if shown.ok:
            messages.success(request, _("로그인 주소를 문자로 보냈습니다."))
            return redirect("program:invite", store_id=store.public_id)
    context = {"store": store, "form": form, "invitations": store.invitations.select_related("accepted_by")[:20]}
    return render(request, "program/invite.html", context)


def join(request, token):
    invitation = Invitation.find(token)
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:sign_in") + "?" + urlencode({"next": request.path}))
    if request.method == "POST":
        with refusals_shown(request) as shown:
            store = invitation.accept(user=request.user)
        if shown.ok:
            messages.success(
                request, _("{store}의 사장님이 되었습니다. 가게 관리를 시작하세요.").format(store=store.name)
            )
            return redirect("channels:dashboard", public_id=store.public_id)
        return redirect("program:join", token=token)
    return render(request, "program/join.html", {"invitation": invitation, "store": invitation.store})


@login_required
def my_checklist(request, store_id):
    store = managed_store(request.user, store_id)
    [progress] = progress_for([store])
    return render(request, "program/checklist.html", {"store": store, "p": progress})
