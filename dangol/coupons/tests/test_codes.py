"""Coupon codes: eight characters a merchant can read aloud and type, in any case and spacing."""

from dangol.coupons.codes import display_code, new_code, normalize_code
from dangol.lib.ids import ALPHABET


def test_codes_are_eight_characters_without_look_alikes_drawn_from_the_whole_alphabet():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    assert set("".join(codes)) == set(ALPHABET)


def test_a_typed_code_is_read_in_any_case_and_spacing():
    code = new_code()
    for typed in (code, code.lower(), f" {code[:4]}-{code[4:]} ", f"{code[:4]} {code[4:]}"):
        assert normalize_code(typed) == code
    assert display_code(code) == f"{code[:4]}-{code[4:]}"
    assert normalize_code("ABCD-EFG0") == ""  # 0 is not in the alphabet
