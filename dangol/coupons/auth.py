"""Per-store API keys for point-of-sale systems: `Authorization: Bearer dgk_<prefix>_<secret>`.

Which store a key (or a merchant's session) may act for is `access.store_for_actor`'s answer.
"""

from ninja.security import HttpBearer

from dangol.lib.api import session_auth

from .models import ApiKey


class StoreKeyAuth(HttpBearer):
    def authenticate(self, request, token):
        return ApiKey.objects.authenticate(token)


store_key = StoreKeyAuth()
merchant_or_key = [store_key, session_auth]
