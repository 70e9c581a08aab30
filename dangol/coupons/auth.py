"""Per-store API keys for point-of-sale systems: `Authorization: Bearer dgk_<prefix>_<secret>`."""

from contextlib import contextmanager

from django.http import Http404
from ninja.errors import HttpError
from ninja.security import HttpBearer

from dangol.channels.access import managed_store, public_store
from dangol.lib.api import session_auth

from .models import ApiKey


class StoreKeyAuth(HttpBearer):
    def authenticate(self, request, token):
        return ApiKey.objects.authenticate(token)


store_key = StoreKeyAuth()
merchant_or_key = [store_key, session_auth]


def store_for_actor(request, public_id):
    """(store, who) for a merchant's session or the store's own API key; 404 for anyone else.

    `who` is the keyword arguments that record the actor on a redemption or stamp.
    """
    if isinstance(request.auth, ApiKey):
        store = public_store(public_id)
        if request.auth.store_id != store.pk:
            raise Http404
        return store, {"api_key": request.auth}
    return managed_store(request.auth, public_id), {"by": request.auth}


@contextmanager
def refusals_as_http(*kinds):
    """A refused claim, redemption or stamp becomes {"detail": message} with its status."""
    try:
        yield
    except kinds as refusal:
        raise HttpError(refusal.status, str(refusal)) from None
