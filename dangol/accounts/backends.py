from django.contrib.auth.backends import BaseBackend
from django.db import connections, router

from .models import User
from .sessions import user_read_with_session

_FIELDS = [field.attname for field in User._meta.concrete_fields]
# The signed-in person of every request, by a fixed statement: no ORM query to build each time.
GET_USER = "SELECT {columns} FROM {table} WHERE id = %s AND is_active".format(  # noqa: S608 - names from the model
    columns=", ".join(field.column for field in User._meta.concrete_fields), table=User._meta.db_table
)


class PhoneCodeBackend(BaseBackend):
    """Sign in with a phone number and the one-time code sent to it."""

    def authenticate(self, request, phone=None, code=None, **kwargs):
        if phone is None or code is None:
            return None  # someone else's credentials
        return User.objects.signing_in(phone=phone, code=code)  # or SignInRefused

    def get_user(self, user_id):
        read, user = user_read_with_session(user_id)
        if read:  # this request's session brought its person along (accounts.sessions)
            return user
        alias = router.db_for_read(User)
        with connections[alias].cursor() as cursor:
            cursor.execute(GET_USER, [user_id])
            row = cursor.fetchone()
        return None if row is None else User.from_db(alias, _FIELDS, row)
