"""Per-store API keys for point-of-sale systems: `Authorization: Bearer dgk_<prefix>_<secret>`.

Which store a key (or a merchant's session) may act for is `access.store_for_actor`'s answer.
"""

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from dangol.lib.api import session_auth

from .models import ApiKey
from .models.access import key_prefix


class UncheckedKey:
    """A key in the right shape, not yet compared with the stored ones (see StoreKeyAuth's `deferred`)."""

    __slots__ = ("plain",)

    def __init__(self, plain):
        self.plain = plain

    def __repr__(self):  # what an error report shows of request.auth: never the secret
        return f"UncheckedKey(dgk_{key_prefix(self.plain)}_…)"


class StoreKeyAuth(HttpBearer):
    """The till's key, checked before the view runs.

    `deferred=True` is for the stall's coupon routes alone: the view reads the key with the coupon in one
    statement, so authentication only checks the key's shape and leaves an UncheckedKey, which
    `store_for_actor` and `Coupon.objects.presented_with_key` are the only ones to accept.
    """

    def __init__(self, *, deferred=False):
        super().__init__()
        self.deferred = deferred

    def authenticate(self, request, token):
        if self.deferred:
            return UncheckedKey(token) if key_prefix(token) else None
        return ApiKey.objects.authenticate(token)


def checked_actor(request):
    """request.auth with an UncheckedKey checked: the live key, or else the merchant's session, or 401."""
    if not isinstance(request.auth, UncheckedKey):
        return request.auth
    actor = ApiKey.objects.authenticate(request.auth.plain) or session_auth(request)
    if not actor:
        raise AuthenticationError
    request.auth = actor
    return actor


store_key = StoreKeyAuth()
merchant_or_key = [store_key, session_auth]
# Only for views that start with `store_for_actor` or `presented_with_key`.
stall_merchant_or_key = [StoreKeyAuth(deferred=True), session_auth]
