"""Following by SMS alone, begun at the stall, for a customer without a smartphone.

The merchant types the customer's number and the choices they said aloud; the customer gets a code
by text naming the store and those choices, and reads it back as their consent. The code is accounts'
PhoneCode with the stall purpose: the same limits per phone and per address as sign-in codes, wrong
codes counted the same, and it can never sign anyone in (the merchant hears it).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangol.accounts.models import CODE_DIGITS, CodePurpose, PhoneCode, SignInRefused, code_lifetime, duration_text
from dangol.accounts.sms import send_sms
from dangol.channels.models import NIGHT_NEEDS_ADS, AlreadyFollowing, ConsentRefused, ConsentVia, Follow
from dangol.channels.services import follow_start
from dangol.lib.phones import normalize_phone
from dangol.lib.refusals import AlreadyDone, NotNow, Refused
from dangol.messaging.models import Message, MessageKind

from .models import Channel, ChannelChoice, StallSignup
from .services import deliveries_write


class StallRefused(Refused):
    """A follow at the stall the rules don't allow."""


def _yes_no(given):
    return _("받음") if given else _("받지 않음")


def stall_signup_start(*, store, merchant, phone, ads, night, address):
    """Text the customer a code naming the store and their choices; returns the pending StallSignup.

    Raises a refusal, with nothing kept, for a bad number, night ads without ads, someone already a
    regular, or a phone or address that asked for too many codes.
    """
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        raise StallRefused(error.messages[0], field="phone") from None
    if night and not ads:
        raise ConsentRefused(NIGHT_NEEDS_ADS, field="night")
    if Follow.objects.active().filter(store=store, customer__phone=phone).exists():
        raise AlreadyFollowing(_("이미 단골입니다."), field="phone")
    with transaction.atomic():
        _record, code = PhoneCode.issue(phone=phone, address=address, purpose=CodePurpose.STALL)
        now = timezone.now()
        # Only the newest stall code of a phone counts, so an earlier pending signup for it is dead too.
        StallSignup.objects.filter(phone=phone, confirmed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        signup = StallSignup.objects.create(
            store=store,
            phone=phone,
            ads=ads,
            night=night,
            asked_by=merchant,
            created_at=now,
            expires_at=now + code_lifetime(),
        )
    with translation.override(settings.LANGUAGE_CODE):  # the customer's text, whatever the merchant reads
        text = _(
            "[단골] {store} 단골 등록(휴대폰 번호 수집·이용) 확인번호 {code}. 광고 문자: {ads}, 밤 광고(21시~08시): "
            "{night}. 동의하시면 {ttl} 안에 사장님께 번호를 불러 주세요."
        )
        text = text.format(
            store=store.name, code=code, ads=_yes_no(ads), night=_yes_no(night), ttl=duration_text(code_lifetime())
        )
    if not send_sms(phone, text).ok:
        StallSignup.objects.filter(pk=signup.pk).update(expires_at=timezone.now())
        raise NotNow(_("확인번호 문자를 보내지 못했습니다. 잠시 뒤 다시 해 주세요."), field="phone")
    return signup


def stall_signup_confirm(*, signup, code):
    """The code the customer read back: they become a regular with their choices, consent recorded as
    given at the stall, their messages (this confirmation first) by SMS. Returns the Follow.

    A wrong code counts against the phone as a wrong sign-in code does; nothing else is written.
    """
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        raise StallRefused(_("확인번호 {n}자리 숫자를 입력해 주세요.").format(n=CODE_DIGITS), field="code")
    if signup.confirmed_at is not None:
        raise AlreadyDone(_("이미 확인된 등록입니다."), field="code")
    if not signup.is_open(now=timezone.now()):
        raise StallRefused(_("확인번호가 만료되었습니다. 처음부터 다시 보내 주세요."), field="code")
    user = get_user_model().objects.filter(phone=signup.phone).first()
    if user is not None and not user.is_active:
        PhoneCode.verify(phone=signup.phone, code=code, consume=False, purpose=CodePurpose.STALL)
        raise StallRefused(_("사용이 중지된 계정입니다. 고객센터에 문의해 주세요."), status=403, field="code")
    # Outside any transaction of ours: a wrong code's count must commit although we refuse.
    try:
        PhoneCode.verify(phone=signup.phone, code=code, purpose=CodePurpose.STALL)
    except SignInRefused as error:
        if error.status != 400:  # locked for the day: the sign-in words say so
            raise
        raise StallRefused(_("확인번호가 맞지 않거나 만료되었습니다. 다시 확인해 주세요."), field="code") from None
    now = timezone.now()
    # What is written here is read by the customer (the consent record, by SMS): in the site's language,
    # not the merchant's.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if not StallSignup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(confirmed_at=now):
            raise AlreadyDone(_("이미 확인된 등록입니다."), field="code")
        customer = user or get_user_model().objects.get_or_create_for_phone(signup.phone)
        StallSignup.objects.filter(pk=signup.pk).update(customer=customer)
        follow = follow_start(
            customer=customer,
            store=signup.store,
            collection=True,
            ads=signup.ads,
            night=signup.night,
            via=ConsentVia.STALL,
        )
        ChannelChoice.choose(customer=customer, store=signup.store, channel=Channel.SMS)
        # The consent record (and any welcome notice) was put in the inbox before SMS was chosen:
        # queue it by SMS too, the only way this customer reads anything.
        for message in Message.objects.filter(
            store=signup.store, kind=MessageKind.NOTICE, inbox_items__customer=customer, sent_at__gte=now
        ):
            deliveries_write(Message, message=message)
    signup.confirmed_at, signup.customer = now, customer
    return follow
