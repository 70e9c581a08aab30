"""Who may see and use which coupon: one answer for the pages, the API and the stamps app.

A store's campaigns and redemptions are for its merchants (or its own API key); a coupon is
its customer's. For anyone else they do not exist (404), so ids can't be probed.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from dangol.channels.access import managed_store
from dangol.lib.sql import MARKER_TEXT, FixedQuery

from .auth import checked_actor
from .models import ApiKey, Campaign, Coupon


def store_for_actor(request, public_id):
    """(store, who) for a merchant's session or the store's own API key; 404 for anyone else.

    `who` is the keyword arguments that record the actor on a redemption or stamp.
    """
    checked_actor(request)
    if isinstance(request.auth, ApiKey):
        store = request.auth.store  # read with the key: a key acts for its own store only
        if store.public_id != public_id:
            raise Http404
        return store, {"api_key": request.auth}
    return managed_store(request.auth, public_id), {"by": request.auth}


def store_campaign(store, campaign_id):
    """One of `store`'s campaigns (the caller has already checked who may manage the store)."""
    return get_object_or_404(store.coupon_campaigns.select_related("message", "store"), public_id=campaign_id)


def store_redemption(store, redemption_id):
    return get_object_or_404(store.redemptions.select_related("coupon__campaign"), public_id=redemption_id)


def claimable_campaign(campaign_id):
    """Any campaign by its id: whether this person may take it is `Campaign.claim`'s answer."""
    campaign = _CAMPAIGN.first(campaign_id)
    if campaign is None:
        raise Http404
    return campaign


# Every claim asks for its campaign: the look-up is built by the ORM once per process (lib.sql).
_CAMPAIGN = FixedQuery(
    lambda campaign_id: Campaign.objects.filter(public_id=campaign_id).select_related("store")[:1], MARKER_TEXT
)


def own_coupon(customer, coupon_id):
    """The customer's own coupon; 404 for everyone else's."""
    return get_object_or_404(Coupon.objects.for_wallet(customer).select_related("signing_key"), public_id=coupon_id)
