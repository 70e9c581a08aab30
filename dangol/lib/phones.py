"""Korean phone numbers: parse what people type, store E.164, show masked."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw):
    """Return the E.164 form (+821012345678) of a Korean mobile number.

    Accepts what people type: 010-1234-5678, 01012345678, +82 10 1234 5678.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("휴대폰 번호를 입력해 주세요."), code="required")
    try:
        number = phonenumbers.parse(text, "KR")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("휴대폰 번호 형식이 올바르지 않습니다."), code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("휴대폰 번호 형식이 올바르지 않습니다."), code="invalid")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(_("문자를 받을 수 있는 휴대폰 번호를 입력해 주세요."), code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """010-1234-5678 for a Korean number, the international form otherwise."""
    number = phonenumbers.parse(e164, "KR")
    if number.country_code == 82:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164):
    """010-****-5678: what a merchant sees of a customer's number."""
    shown = display_phone(e164)
    parts = shown.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return shown[:-4].translate(str.maketrans("0123456789", "**********")) + shown[-4:]


def normalize_any_phone(raw):
    """E.164 of any valid Korean number, landlines included (a store's phone)."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "KR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("전화번호 형식이 올바르지 않습니다. 예: 02-123-4567, 010-1234-5678"), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
