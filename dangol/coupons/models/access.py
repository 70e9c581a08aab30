"""Who may use coupons at the stall: per-store API keys and the confirmation PIN."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.lib.ids import new_public_id
from dangol.lib.sql import MARKER_TEXT, FixedQuery
from dangol.lib.text import required_text

from .common import MAX_KEY_NAME, PIN_LOCKOUT, PIN_TRIES, CouponRefused, minutes

PIN_PATTERN = re.compile(r"\d{4}")


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def key_prefix(plain):
    """The prefix of a key sent in the shape `dgk_<prefix>_<secret>`, or None for any other text."""
    parts = (plain or "").strip().split("_")
    if len(parts) != 3 or parts[0] != "dgk" or not parts[1]:
        return None
    return parts[1]


class ApiKeyQuerySet(models.QuerySet):
    def authenticate(self, plain):
        """The live key for a presented `dgk_<prefix>_<secret>`, or None."""
        prefix = key_prefix(plain)
        if prefix is None:
            return None
        key = _LIVE_KEY.first(prefix)
        if key is None or not key.opens_with(plain):
            return None
        return key


class ApiKey(models.Model):
    """A store's key for a point-of-sale system. Only a hash is kept; the key is shown once."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(gettext_lazy("이름"), max_length=MAX_KEY_NAME)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("API 키")
        verbose_name_plural = pgettext_lazy("plural", "API 키")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} (dgk_{self.prefix}_…)"

    @classmethod
    def create_for(cls, *, store, name, by):
        """(ApiKey, the plain key to show once)."""
        name = required_text(name, field="name", max_length=MAX_KEY_NAME, label=_("키 이름"))
        prefix = new_public_id(8)
        plain = f"dgk_{prefix}_{secrets.token_urlsafe(24).replace('_', '-')}"
        key = cls.objects.create(store=store, name=name, prefix=prefix, key_hash=_digest(plain), created_by=by)
        return key, plain

    def opens_with(self, plain):
        """Whether `plain` is this key (its hash is compared in constant time)."""
        return hmac.compare_digest(self.key_hash, _digest(plain.strip()))

    def revoke(self):
        return ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) == 1


def _pin_digest(store, pin):
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"dangol.coupons.pin:{store.public_id}:{pin}".encode(), hashlib.sha256).hexdigest()


class StorePin(models.Model):
    """The 4-digit number a merchant types on a customer's phone to confirm a coupon."""

    store = models.OneToOneField("channels.Store", on_delete=models.CASCADE, related_name="coupon_pin")
    digest = models.CharField(max_length=64, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("쿠폰 확인 번호")
        verbose_name_plural = pgettext_lazy("plural", "쿠폰 확인 번호")

    def __str__(self):
        return str(self.store)

    @classmethod
    def set(cls, *, store, pin):
        """Choose the store's PIN: four digits, not all the same (0000 is the first anyone tries)."""
        if not PIN_PATTERN.fullmatch(pin or ""):
            raise ValidationError({"pin": _("숫자 4자리로 정해 주세요.")})
        if len(set(pin)) == 1:
            raise ValidationError({"pin": _("같은 숫자 네 개는 쓸 수 없습니다. 다른 번호로 정해 주세요.")})
        cls.objects.update_or_create(
            store=store, defaults={"digest": _pin_digest(store, pin), "updated_at": timezone.now()}
        )

    @classmethod
    def verify(cls, *, store, customer, pin, now):
        """Raise CouponRefused unless `pin` is the store's; PIN_TRIES wrong tries lock it for PIN_LOCKOUT.

        The store's PIN row is locked while the failures are counted and a new one written, so
        racing tries are judged one after another: exactly PIN_TRIES are judged, the rest locked out.
        A wrong try is committed before it is refused, so the count survives the refusal.
        """
        pin = (pin or "").strip()
        wrong = False
        with transaction.atomic():
            record = cls.objects.select_for_update().filter(store=store).first()
            if record is None:
                raise CouponRefused(_("가게에서 아직 확인 번호를 정하지 않았습니다. 사장님께 쿠폰 번호를 보여 주세요."))
            failures = PinFailure.objects.filter(store=store, customer=customer, created_at__gt=now - PIN_LOCKOUT)
            if failures.count() >= PIN_TRIES:
                raise CouponRefused(
                    _("확인 번호를 {tries}번 틀렸습니다. {n}분 뒤에 다시 해 주세요.").format(
                        tries=PIN_TRIES, n=minutes(PIN_LOCKOUT)
                    ),
                    status=429,
                )
            if not PIN_PATTERN.fullmatch(pin):
                raise CouponRefused(_("숫자 4자리를 눌러 주세요."), field="pin")
            if not hmac.compare_digest(record.digest, _pin_digest(store, pin)):
                PinFailure.objects.create(store=store, customer=customer, created_at=now)
                wrong = True
        if wrong:
            raise CouponRefused(_("확인 번호가 맞지 않습니다."))


class PinFailure(models.Model):
    """A wrong PIN, kept to stop anyone trying all 10,000 numbers."""

    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["store", "customer", "created_at"])]

    def __str__(self):
        return f"{self.store} {self.created_at:%Y-%m-%d %H:%M}"


# Every call from a till presents its key: the look-up is built by the ORM once per process (lib.sql).
_LIVE_KEY = FixedQuery(
    lambda prefix: ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).select_related("store")[:1],
    MARKER_TEXT,
)
