"""The member QR a customer shows so the merchant can give a stamp by scanning it."""

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

PREFIX = "DGM1."
SALT = "dangol.stamps.member"
MAX_AGE = 10 * 60  # a screenshot stops working after ten minutes


def member_token(user):
    return PREFIX + signing.TimestampSigner(salt=SALT).sign(user.public_id)


def member_for_token(text, *, max_age=MAX_AGE, shown_at=None):
    """The customer a member QR names, or None if it is forged, altered or too old.

    `shown_at`: when a stall without network scanned it; the QR must have been fresh then.
    """
    if shown_at is not None:
        max_age = max_age + max((timezone.now() - shown_at).total_seconds(), 0)
    text = (text or "").strip()
    if not text.startswith(PREFIX) or len(text) > 200:
        return None
    try:
        public_id = signing.TimestampSigner(salt=SALT).unsign(text[len(PREFIX) :], max_age=max_age)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(public_id=public_id, is_active=True).first()
