"""Text that people typed: refuse what no database or screen can hold, and see through blanks.

Checked once at the edge (core's input guard refuses NUL and broken characters in any
request) and again by the models that keep the text (`visible`), so both doors agree.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUL_MESSAGE = _("보이지 않는 제어 문자(NUL)는 쓸 수 없습니다.")
BROKEN_MESSAGE = _("깨진 문자가 들어 있습니다. 다시 입력해 주세요.")
BLANK_MESSAGE = _("보이는 글자를 입력해 주세요.")

# Hangul fillers and the blank braille cell draw nothing but are not Unicode "format" characters.
_BLANKS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _is_invisible(char):
    return char in _BLANKS or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def text_problem(value):
    """Why `value` can't be stored (NUL, or a lone surrogate from a broken JSON escape), or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return BROKEN_MESSAGE
    return None


def text_problems(data, path=()):
    """Every (path, message) in a decoded JSON document whose key or text can't be stored."""
    if isinstance(data, str):
        problem = text_problem(data)
        if problem:
            yield path, problem
    elif isinstance(data, dict):
        for key, value in data.items():
            problem = text_problem(key)
            if problem:
                yield (*path, key), problem
            else:
                yield from text_problems(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from text_problems(value, (*path, index))


def visible(value):
    """`value` without the blanks around it, where zero-width and filler characters count as blanks."""
    start, end = 0, len(value)
    while start < end and _is_invisible(value[start]):
        start += 1
    while end > start and _is_invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def required_text(value, *, field, max_length=None, label=None):
    """The visible text of a required field, or a ValidationError on `field` saying what is wrong."""
    value = visible(value or "")
    if not value:
        raise ValidationError({field: [BLANK_MESSAGE]})
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: [too_long(max_length, label)]})
    return value


def optional_text(value, *, field, max_length, label=None):
    """Like `required_text`, but empty is allowed."""
    value = visible(value or "")
    if len(value) > max_length:
        raise ValidationError({field: [too_long(max_length, label)]})
    return value


def topic(word):
    """`word` with the topic particle Korean grammar asks for: 제목은, 이름은, 메모는."""
    last = str(word)[-1:]
    if "가" <= last <= "힣":
        return f"{word}{'은' if (ord(last) - 0xAC00) % 28 else '는'}"
    return _("%(word)s은(는)") % {"word": word}


def too_long(max_length, label=None):
    if label:
        return _("%(label)s %(n)d자까지 쓸 수 있습니다.") % {"label": topic(label), "n": max_length}
    return _("%(n)d자까지 쓸 수 있습니다.") % {"n": max_length}
