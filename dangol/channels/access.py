"""Who may see and change a store: one answer for the pages and the API.

Anyone may see a store's public page; only its merchants may manage it. For everyone
else a store they may not manage does not exist (404), so ids can't be probed.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Follow, Store


def public_store(public_id):
    return get_object_or_404(Store.objects.select_related("market"), public_id=public_id)


def shown_store(user, public_id):
    """The store as the API shows it: 404 while it is hidden by reports or removed, except to its
    merchants and to the people who moderate it (the page says "under review" instead)."""
    store = public_store(public_id)
    if not (user.is_authenticated and (store.is_owner(user) or user.is_staff or user.has_perm("reports.moderate"))):
        if Store.objects.filter(pk=store.pk).withheld().exists():
            raise Http404
    return store


def managed_store(user, public_id):
    """The store, if `user` is one of its merchants; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Store.objects.owned_by(user).select_related("market"), public_id=public_id)


def active_follow(user, store):
    """The user's current follow of `store`, or None (also for anonymous visitors)."""
    if not user.is_authenticated:
        return None
    return Follow.objects.active().filter(customer=user, store=store).first()
