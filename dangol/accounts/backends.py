from django.contrib.auth.backends import BaseBackend

from .models import PhoneCode, User


class PhoneCodeBackend(BaseBackend):
    """Sign in with a phone number and the one-time code sent to it."""

    def authenticate(self, request, phone=None, code=None, **kwargs):
        if not phone or not code:
            return None
        PhoneCode.verify(phone=phone, code=code)
        user = User.objects.get_or_create_for_phone(phone)
        return user if user.is_active else None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
