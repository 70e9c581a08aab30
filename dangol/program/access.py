"""Who sees what of the program: one answer for the pages, the API and the printing app.

An operator sees their cohort whole; a tutor sees only the markets and stores assigned to them; a market
association sees its own market; a merchant sees only their own store. Anything else is a 404.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from dangol.channels.models import Store
from dangol.markets.models import Market

from .models import Cohort


def _signed_in(user):
    if not user.is_authenticated:
        raise Http404


def visible_cohort(user, public_id):
    """A cohort `user` runs or tutors in."""
    _signed_in(user)
    return get_object_or_404(Cohort.objects.visible_to(user), public_id=public_id)


def operated_cohort(user, public_id):
    """A cohort `user` runs (only operators change it)."""
    _signed_in(user)
    return get_object_or_404(Cohort.objects.operated_by(user), public_id=public_id)


def is_operator(user, cohort):
    return Cohort.objects.operated_by(user).filter(pk=cohort.pk).exists()


def cohort_stores(user, cohort):
    """The stores of `cohort` that `user` may follow: all for an operator, the assigned ones for a tutor."""
    stores = Store.objects.filter(market__in=cohort.markets.all())
    if is_operator(user, cohort):
        return stores
    mine = cohort.assignments.filter(tutor=user)
    whole_markets = mine.filter(store__isnull=True).values("market")
    single_stores = mine.filter(store__isnull=False).values("store")
    return stores.filter(Q(market__in=whole_markets) | Q(pk__in=single_stores))


def cohort_markets(user, cohort):
    """The markets of `cohort` in which `user` sees at least one store."""
    if is_operator(user, cohort):
        return cohort.markets.all()
    return cohort.markets.filter(pk__in=cohort_stores(user, cohort).values("market"))


def cohort_market(user, cohort, public_id):
    return get_object_or_404(cohort_markets(user, cohort), public_id=public_id)


def cohort_store(user, cohort, public_id):
    return get_object_or_404(cohort_stores(user, cohort).select_related("market"), public_id=public_id)


def is_tutor_of(user, cohort, store):
    """`user` is assigned to `store` (or its whole market) in `cohort`."""
    return (
        cohort.assignments.filter(tutor=user)
        .filter(Q(store=store) | Q(market=store.market, store__isnull=True))
        .exists()
    )


def supported_stores(user):
    """Stores `user` helps as program staff: their market association's, their cohorts', their assignments'."""
    if not user.is_authenticated:
        return Store.objects.none()
    if user.is_staff:
        return Store.objects.all()
    operated = Cohort.objects.operated_by(user).values("markets")
    assignments = user.tutor_assignments.all()
    return Store.objects.filter(
        Q(market__admins=user)
        | Q(market__in=operated)
        | Q(market__in=assignments.filter(store__isnull=True).values("market"))
        | Q(pk__in=assignments.filter(store__isnull=False).values("store"))
    ).distinct()


def supported_store(user, public_id):
    """A store `user` may invite merchants to and print for as program staff."""
    _signed_in(user)
    return get_object_or_404(supported_stores(user).select_related("market"), public_id=public_id)


def printable_store(user, public_id):
    """A store whose printed material `user` may make: its merchant, or program staff helping it."""
    _signed_in(user)
    mine = Store.objects.owned_by(user).values("pk")
    helped = supported_stores(user).values("pk")
    stores = Store.objects.filter(Q(pk__in=mine) | Q(pk__in=helped)).select_related("market")
    return get_object_or_404(stores, public_id=public_id)


def supported_markets(user):
    """Whole markets `user` supports: their association's, their cohorts', their whole-market assignments."""
    if not user.is_authenticated:
        return Market.objects.none()
    if user.is_staff:
        return Market.objects.all()
    operated = Cohort.objects.operated_by(user).values("markets")
    assigned = user.tutor_assignments.filter(store__isnull=True).values("market")
    return Market.objects.filter(Q(admins=user) | Q(pk__in=operated) | Q(pk__in=assigned)).distinct()


def supported_market(user, public_id):
    _signed_in(user)
    return get_object_or_404(supported_markets(user), public_id=public_id)


def store_opening_market(user, public_id):
    """A market where `user` may open stores: the market association, or an operator of a cohort holding it."""
    _signed_in(user)
    if user.is_staff:
        return get_object_or_404(Market, public_id=public_id)
    operated = Cohort.objects.operated_by(user).values("markets")
    markets = Market.objects.filter(Q(admins=user) | Q(pk__in=operated)).distinct()
    return get_object_or_404(markets, public_id=public_id)
