"""One click, one PDF, drawn from the store's data as it is now."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.channels.access import managed_store
from dangol.coupons.access import store_campaign
from dangol.coupons.models import Method
from dangol.lib.seoul import to_seoul
from dangol.program import access
from dangol.program.models import Invitation, PrintKind, PrintRecord
from dangol.program.services import invitation_link

from . import documents

SIZES = {"a4": "A4", "a5": "A5"}


def _pdf(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _place(store):
    return f"{store.market.name} {store.stall_number}".strip()


def _poster_store(request, store):
    url = request.build_absolute_uri(reverse("channels:store", args=[store.public_id]))
    return documents.PosterStore(name=store.name, place=_place(store), url=url)


def _day(moment):
    return date_format(to_seoul(moment), _("Y년 n월 j일"))


def _until(day):
    """The one validity line of a paper coupon: the coupon's own last day."""
    return _("{day}까지").format(day=date_format(day, _("Y년 n월 j일")))


@login_required
def store_page(request, store_id):
    store = access.printable_store(request.user, store_id)
    is_merchant = store.is_owner(request.user)
    context = {
        "store": store,
        "is_merchant": is_merchant,
        "may_invite": access.supported_stores(request.user).filter(pk=store.pk).exists(),
        "paper_campaigns": store.coupon_campaigns.filter(method=Method.PAPER) if is_merchant else [],
    }
    return render(request, "printing/store.html", context)


@login_required
def poster(request, store_id, size):
    if size not in SIZES:
        raise Http404
    store = access.printable_store(request.user, store_id)
    data = documents.posters(
        [_poster_store(request, store)], size=SIZES[size], title=_("{name} QR 포스터").format(name=store.name)
    )
    PrintRecord.record(stores=[store], kind=PrintKind.POSTER, by=request.user)
    return _pdf(data, f"dangol-{store.public_id}-poster-{size}.pdf")


@login_required
def market_page(request, market_id):
    market = access.supported_market(request.user, market_id)
    return render(request, "printing/market.html", {"market": market, "count": market.stores.count()})


@login_required
def market_posters(request, market_id, size):
    if size not in SIZES:
        raise Http404
    market = access.supported_market(request.user, market_id)
    stores = list(market.stores.select_related("market").order_by("stall_number", "name"))
    if not stores:
        raise Http404
    data = documents.posters(
        [_poster_store(request, store) for store in stores],
        size=SIZES[size],
        title=_("{name} QR 포스터").format(name=market.name),
    )
    PrintRecord.record(stores=stores, kind=PrintKind.POSTER, by=request.user)
    return _pdf(data, f"dangol-{market.public_id}-posters-{size}.pdf")


@login_required
def guide(request, store_id):
    store = access.printable_store(request.user, store_id)
    dashboard = reverse("channels:dashboard", args=[store.public_id])
    sign_in = reverse("accounts:sign_in") + "?" + urlencode({"next": dashboard})
    data = documents.guide(
        store_name=store.name,
        place=_place(store),
        store_url=request.build_absolute_uri(store.get_absolute_url()),
        sign_in_url=request.build_absolute_uri(sign_in),
    )
    PrintRecord.record(stores=[store], kind=PrintKind.GUIDE, by=request.user)
    return _pdf(data, f"dangol-{store.public_id}-guide.pdf")


@login_required
@require_POST
def invitation(request, store_id):
    """A fresh one-time invitation on paper: its token exists only on this sheet."""
    store = access.supported_store(request.user, store_id)
    invite, token = Invitation.issue(store=store, by=request.user)
    data = documents.invitation(
        store_name=store.name,
        place=_place(store),
        url=invitation_link(request.build_absolute_uri("/").rstrip("/"), token),
        until=_day(invite.expires_at),
    )
    PrintRecord.record(stores=[store], kind=PrintKind.INVITATION, by=request.user)
    return _pdf(data, f"dangol-{store.public_id}-invitation.pdf")


@login_required
def coupon_sheet(request, store_id, campaign_id):
    store = managed_store(request.user, store_id)
    campaign = store_campaign(store, campaign_id)
    if campaign.method != Method.PAPER:
        raise Http404
    coupons = campaign.coupons.filter(customer__isnull=True).select_related("signing_key", "store").order_by("id")
    condition = (
        _("{amount}원 이상 구매 시").format(amount=f"{campaign.min_purchase:,}") if campaign.min_purchase else ""
    )
    data = documents.coupon_sheets(
        store_name=store.name,
        benefit=campaign.benefit,
        condition=condition,
        coupons=[
            documents.PaperCoupon(code=c.display_code, qr=c.token(), last_day=_until(c.last_day)) for c in coupons
        ],
    )
    PrintRecord.record(stores=[store], kind=PrintKind.COUPONS, by=request.user)
    return _pdf(data, f"dangol-{store.public_id}-coupons-{campaign.public_id}.pdf")
