import datetime as dt
import hashlib
import hmac
import logging
import secrets
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.ids import new_public_id
from dangol.lib.phones import display_phone, mask_phone
from dangol.lib.refusals import Refused
from dangol.lib.seoul import seoul_midnight, seoul_today

from .sms import send_sms

logger = logging.getLogger(__name__)


class UserManager(BaseUserManager):
    def get_or_create_for_phone(self, phone):
        user, _created = self.get_or_create(phone=phone, defaults={"password": make_password(None)})
        return user

    def signing_in(self, *, phone, code):
        """The account a correct code for `phone` opens, created at the first sign-in.

        Raises SignInRefused: a code that isn't CODE_DIGITS digits, a wrong or dead one, or a
        deactivated account. A deactivated account is named only to whoever holds a correct code,
        and nothing is written for it (the code stays unused, no account, no session).
        """
        code = (code or "").strip()
        if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
            raise SignInRefused(gettext("인증번호 {n}자리 숫자를 입력해 주세요.").format(n=CODE_DIGITS), field="code")
        user = self.filter(phone=phone).first()
        if user is not None and not user.is_active:
            PhoneCode.verify(phone=phone, code=code, consume=False)
            raise SignInRefused(gettext("사용이 중지된 계정입니다. 고객센터에 문의해 주세요."), status=403)
        PhoneCode.verify(phone=phone, code=code)
        return user or self.get_or_create_for_phone(phone)

    def create_user(self, phone, password=None, **extra):
        user = self.model(phone=phone, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone signs in with a verified phone number; nobody needs a password."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    phone = models.CharField(_("휴대폰 번호"), max_length=20, unique=True, help_text="E.164, +8210...")
    name = models.CharField(_("이름"), max_length=50, blank=True)
    is_staff = models.BooleanField(_("운영진"), default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = pgettext_lazy("plural", "사용자")

    def __str__(self):
        return self.name or self.masked_phone

    @property
    def phone_display(self):
        return display_phone(self.phone)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


CODE_DIGITS = 6
CODES_PER_PHONE_WINDOW = dt.timedelta(minutes=15)  # settings.SIGN_IN_CODES_PER_PHONE per window
CODES_PER_ADDRESS_WINDOW = dt.timedelta(hours=1)  # settings.SIGN_IN_CODES_PER_ADDRESS per window
# Per Seoul day: codes sent to one phone, and wrong codes typed for it before it is locked until midnight.
CODES_PER_DAY = 10
WRONG_CODES_PER_DAY = 10


def codes_per_day():
    return getattr(settings, "SIGN_IN_CODES_PER_DAY", CODES_PER_DAY)


def wrong_codes_per_day():
    return getattr(settings, "SIGN_IN_WRONG_CODES_PER_DAY", WRONG_CODES_PER_DAY)


def duration_text(delta):
    """A span as people say it: "5분", "1시간", "90초"."""
    seconds = int(delta.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("{n}시간", "{n}시간", hours).format(n=hours)
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("{n}분", "{n}분", minutes).format(n=minutes)
    return ngettext("{n}초", "{n}초", seconds).format(n=seconds)


def code_lifetime():
    return dt.timedelta(seconds=settings.SIGN_IN_CODE_TTL_SECONDS)


def _digest(phone, code):
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


class SignInRefused(Refused):
    """A code was not issued or not accepted."""


def _locked_refusal():
    return SignInRefused(
        gettext("틀린 인증번호가 너무 많이 입력되어 오늘은 이 번호로 로그인할 수 없습니다. 내일 다시 시도해 주세요."),
        status=429,
        field="phone",
    )


class PhoneThrottle(models.Model):
    """One row per phone that asked for a code. Issuing and checking codes for the phone lock this row
    first, so every count for the phone is exact however many requests arrive at once."""

    phone = models.CharField(max_length=20, unique=True)
    day = models.DateField(null=True, blank=True, help_text="The Seoul day `wrong_codes` counts.")
    wrong_codes = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True, help_text="Empty it to let the phone sign in again.")
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("로그인 제한(번호)")
        verbose_name_plural = pgettext_lazy("plural", "로그인 제한(번호)")

    def __str__(self):
        return mask_phone(self.phone)

    @classmethod
    def locked_for(cls, phone, *, now):
        """The phone's row, created if need be and locked until the transaction ends; counts of a past day are reset."""
        cls.objects.bulk_create(
            [cls(phone=phone, updated_at=now)],
            update_conflicts=True,
            unique_fields=["phone"],
            update_fields=["updated_at"],
        )
        throttle = cls.objects.select_for_update().get(phone=phone)
        today = seoul_today(now)
        if throttle.day != today:
            throttle.day, throttle.wrong_codes = today, 0
        return throttle

    def is_locked(self, *, now):
        return self.locked_until is not None and self.locked_until > now


class AddressThrottle(models.Model):
    """One row per client address that asked for a code: the lock that makes its hourly count exact."""

    address = models.GenericIPAddressField(unique=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("로그인 제한(주소)")
        verbose_name_plural = pgettext_lazy("plural", "로그인 제한(주소)")

    def __str__(self):
        return self.address

    @classmethod
    def lock(cls, address, *, now):
        cls.objects.bulk_create(
            [cls(address=address, updated_at=now)],
            update_conflicts=True,
            unique_fields=["address"],
            update_fields=["updated_at"],
        )


def _lock_notice_send(phone):
    send_sms(
        phone,
        gettext(
            "[단골] 오늘 이 번호로 틀린 인증번호가 여러 번 입력되어 자정까지 로그인을 막았습니다. "
            "본인이 아니라면 받은 인증번호를 누구에게도 알려주지 마세요."
        ),
    )


class PhoneCodeQuerySet(models.QuerySet):
    def recent(self, *, since):
        return self.filter(created_at__gte=since)


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("로그인")
    STALL = "stall", _("가게에서 단골 등록")


class PhoneCode(models.Model):
    """A one-time code sent by SMS, good for one purpose only: a code the customer reads aloud to a
    merchant at the stall can never sign anyone in. Only its keyed hash is stored."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices, default=CodePurpose.SIGN_IN)
    digest = models.CharField(max_length=64)
    requested_from = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = PhoneCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("인증번호")
        verbose_name_plural = pgettext_lazy("plural", "인증번호")

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, *, phone, address, purpose=CodePurpose.SIGN_IN):
        """Create a code for `phone` and `purpose` unless the number is foreign (without SIGN_IN_FOREIGN_NUMBERS),
        locked, or the phone or address asked too often.

        Returns (PhoneCode, plain code); raises SignInRefused. Counting and creating happen under
        the phone's and the address's row locks, so exactly the limit passes however many race.
        """
        if not phone.startswith("+82") and not getattr(settings, "SIGN_IN_FOREIGN_NUMBERS", False):
            raise SignInRefused(gettext("국내 휴대폰 번호(010 등)로만 로그인할 수 있습니다."), field="phone")
        now = timezone.now()
        with transaction.atomic():
            throttle = PhoneThrottle.locked_for(phone, now=now)  # always the phone first, then the address
            if throttle.is_locked(now=now):
                raise _locked_refusal()
            codes = cls.objects.filter(phone=phone)
            if codes.recent(since=now - CODES_PER_PHONE_WINDOW).count() >= settings.SIGN_IN_CODES_PER_PHONE:
                raise SignInRefused(
                    gettext("인증번호를 너무 자주 요청했습니다. {wait} 뒤에 다시 시도해 주세요.").format(
                        wait=duration_text(CODES_PER_PHONE_WINDOW)
                    ),
                    status=429,
                    field="phone",
                )
            if codes.recent(since=seoul_midnight(seoul_today(now))).count() >= codes_per_day():
                raise SignInRefused(
                    gettext("오늘은 이 번호로 인증번호를 더 보낼 수 없습니다. 내일 다시 시도해 주세요."),
                    status=429,
                    field="phone",
                )
            if address:
                AddressThrottle.lock(address, now=now)
                per_address = cls.objects.recent(since=now - CODES_PER_ADDRESS_WINDOW).filter(requested_from=address)
                if per_address.count() >= settings.SIGN_IN_CODES_PER_ADDRESS:
                    raise SignInRefused(
                        gettext("이 기기에서 요청이 너무 많습니다. {wait} 뒤에 다시 시도해 주세요.").format(
                            wait=duration_text(CODES_PER_ADDRESS_WINDOW)
                        ),
                        status=429,
                        field="phone",
                    )
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            record = cls.objects.create(
                phone=phone,
                purpose=purpose,
                digest=_digest(phone, code),
                requested_from=address or None,
                created_at=now,
                expires_at=now + code_lifetime(),
            )
            throttle.save(update_fields=["day", "wrong_codes"])
        return record, code

    @classmethod
    def verify(cls, *, phone, code, consume=True, purpose=CodePurpose.SIGN_IN):
        """Consume the newest live code for `phone` and `purpose` if `code` matches it (`consume=False`:
        only check it).

        The newest code of the purpose is the only one that counts, each code works once, a code dies after
        SIGN_IN_MAX_ATTEMPTS wrong tries, and after SIGN_IN_WRONG_CODES_PER_DAY wrong tries across
        all its codes the phone is locked until Seoul midnight and its owner gets a text.
        """
        now = timezone.now()
        wrong = SignInRefused(gettext("인증번호가 맞지 않거나 만료되었습니다. 다시 받아 주세요."))
        with transaction.atomic():
            # A phone that never asked for a code has nothing to check, and gets no row.
            known = PhoneThrottle.objects.filter(phone=phone).exists()
            throttle = PhoneThrottle.locked_for(phone, now=now) if known else None
            locked = throttle is not None and throttle.is_locked(now=now)
            record = None
            if throttle is not None and not locked:
                live = cls.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True)
                record = live.order_by("-created_at", "-id").first()
            usable = record is not None and record.expires_at > now
            usable = usable and record.attempts < settings.SIGN_IN_MAX_ATTEMPTS
            if usable and not hmac.compare_digest(record.digest, _digest(phone, (code or "").strip())):
                # Counted in this transaction, which must commit: raise only after it.
                cls.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
                throttle.wrong_codes += 1
                if throttle.wrong_codes >= wrong_codes_per_day():
                    throttle.locked_until = seoul_midnight(throttle.day + dt.timedelta(days=1))
                    locked = True
                    logger.warning("sign-in locked until midnight for %s", mask_phone(phone))
                    transaction.on_commit(partial(_lock_notice_send, phone), robust=True)
                throttle.save(update_fields=["day", "wrong_codes", "locked_until"])
                usable = False
            if usable and consume:
                usable = cls.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now) == 1
        if locked:
            raise _locked_refusal()
        if not usable:
            raise wrong
        return record


class Session(AbstractBaseSession):
    """A browser's session, with the signed-in person's id in a column of its own, so that one statement
    reads a request's session and its person together (accounts.sessions). Django's own session table
    has only the encoded data."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
