from django.contrib.auth.backends import BaseBackend

from .models import User


class PhoneCodeBackend(BaseBackend):
    """Sign in with a phone number and the one-time code sent to it."""

    def authenticate(self, request, phone=None, code=None, **kwargs):
        if phone is None or code is None:
            return None  # someone else's credentials
        return User.objects.signing_in(phone=phone, code=code)  # or SignInRefused

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
