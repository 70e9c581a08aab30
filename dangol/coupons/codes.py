"""Short coupon codes people can read aloud and type at the stall."""

import re

from dangol.lib.ids import ALPHABET, random_text

CODE_LENGTH = 8
_NOT_CODE = re.compile(r"[^0-9A-Z]")


def new_code():
    """Eight characters without 0/O/1/I/L: about 8.5 × 10¹¹ possibilities."""
    return random_text(ALPHABET, CODE_LENGTH)


def normalize_code(raw):
    """What the merchant typed ("abcd-efgh ", "ABCD EFGH") as the stored code, or ""."""
    text = _NOT_CODE.sub("", (raw or "").upper())
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def display_code(code):
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code
