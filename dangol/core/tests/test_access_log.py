from dangol.core.access_log import redact_path, redact_query


def test_tokens_in_addresses_never_reach_the_access_log():
    assert redact_path("/o/eyJmIjoxMjN9:1vQx2k:abcDEF123/") == "/o/…/"
    assert redact_path("/program/join/Zk3n9Qw8e7r6t5y4u3i2o1p0/") == "/program/join/…/"
    assert redact_path("/t/8f2kq9z1m3x7c5v4/") == "/t/…/"
    assert redact_path("/x/abcdefghijklmnopqrstuvwxyz123/") == "/x/…/"


def test_ordinary_addresses_stay_readable():
    assert redact_path("/m/kh3e37r9rm/stall/") == "/m/kh3e37r9rm/stall/"
    assert redact_path("/api/v1/stores/kh3e37r9rm/redemptions") == "/api/v1/stores/kh3e37r9rm/redemptions"


def test_query_values_are_dropped_but_names_kept():
    assert redact_query("paymentKey=tgen_2026abc&orderId=dg-123&amount=5000") == "paymentKey=…&orderId=…&amount=…"
    assert redact_query("") == ""
