from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dangol.accounts.models import User
from dangol.accounts.sms import send_sms
from dangol.channels.models import Store
from dangol.lib.phones import normalize_phone
from dangol.lib.seoul import to_seoul

from .models import Invitation, ProgramRefused


def invitation_link(site, token):
    """The one-time link (and QR) of an invitation; `site` is the scheme and host, no slash at the end."""
    return site + reverse("program:join", args=[token])


def invitation_text(*, store, by, phone, site):
    """Text a one-time sign-in to `phone` that makes its owner a merchant of `store`.

    The SMS goes after the invitation commits, so a failed write never sends a dead link.
    """
    with transaction.atomic():
        invitation, token = Invitation.issue(store=store, by=by, phone=phone)
        text = _(
            "[단골] {store} 사장님, 아래 주소를 눌러 로그인하면 가게 관리를 시작합니다. {day}까지 한 번 쓸 수 있습니다.\n{link}"
        )
        body = text.format(
            store=store.name,
            day=date_format(to_seoul(invitation.expires_at), _("n월 j일")),
            link=invitation_link(site, token),
        )
        transaction.on_commit(lambda: send_sms(invitation.phone, body))
    return invitation


def store_open(*, market, by, name, category, stall_number="", phone="", merchant_phone="", site=""):
    """A store opened by the market association or an operator, and (with `merchant_phone`) its merchant
    invited by text. The profile rules are Store.clean's; nothing is written when one fails."""
    if merchant_phone:
        try:
            merchant_phone = normalize_phone(merchant_phone)
        except ValidationError as error:
            raise ProgramRefused(error.messages[0], field="merchant_phone") from None
    store = Store(market=market, name=name, category=category, stall_number=stall_number, phone=phone)
    store.full_clean(exclude=["owners", "photo"])
    with transaction.atomic():
        store.save()
        if merchant_phone:
            invitation_text(store=store, by=by, phone=merchant_phone, site=site)
    return store


def tutor_assign(*, cohort, phone, market, store=None):
    """Give the person signed up with `phone` a market (or one store) of `cohort` to tutor."""
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        raise ProgramRefused(error.messages[0], field="phone") from None
    tutor = User.objects.filter(phone=phone, is_active=True).first()
    if tutor is None:
        raise ProgramRefused(_("이 번호로 가입한 사람이 없습니다. 튜터가 먼저 한 번 로그인해야 합니다."), field="phone")
    return cohort.assign_tutor(tutor=tutor, market=market, store=store)
