from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dangol.channels.models import Category

from .forms import MarketPageForm
from .models import Market


def market_list(request):
    return render(request, "markets/list.html", {"markets": Market.objects.all()})


def detail(request, public_id):
    market = get_object_or_404(Market, public_id=public_id)
    stores = market.stores.shown()  # a store hidden by reports is not listed until a moderator keeps it
    category = request.GET.get("category")
    if category in Category.values:
        stores = stores.filter(category=category)
    context = {"market": market, "stores": stores, "categories": Category.choices, "category": category}
    return render(request, "markets/detail.html", context)


@login_required
def manage(request, public_id):
    market = get_object_or_404(Market.objects.administered_by(request.user), public_id=public_id)
    form = MarketPageForm(request.POST or None, instance=market)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("시장 정보를 저장했습니다."))
        return redirect("markets:manage", public_id=market.public_id)
    stores = market.stores.with_follower_count().order_by("-follower_count", "name")
    total = sum(store.follower_count for store in stores)
    return render(request, "markets/manage.html", {"market": market, "form": form, "stores": stores, "total": total})
