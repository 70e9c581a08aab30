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


def _logged(tmp_path, log_format, *, plain=None):
    """The access-log line RedactingLogger writes for one redemption, with `log_format`."""
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    from dangol.core.access_log import RedactingLogger

    tmp_path.mkdir(exist_ok=True)
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", log_format)
    logger = RedactingLogger(cfg)
    if plain is not None:
        logger.plain_format = plain
    resp = SimpleNamespace(status="201 Created", sent=87, headers=[("Content-Type", "application/json")])
    req = SimpleNamespace(headers=[("HOST", "dangol.kr"), ("X-TILL", "till-1")])
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/o/eyJmIjoxMjN9:1vQx2k:abcDEF123/?paymentKey=tgen_1",
        "PATH_INFO": "/o/eyJmIjoxMjN9:1vQx2k:abcDEF123/",
        "QUERY_STRING": "paymentKey=tgen_1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": "https://dangol.kr/t/8f2kq9z1m3x7c5v4/",
        "HTTP_USER_AGENT": 'Mozilla/5.0 "old phone"',
        "HTTP_AUTHORIZATION": "Basic bWFya2V0OnNlY3JldA==",
        "HTTP_X_TILL": "till-1",
        "wsgi.url_scheme": "https",
    }
    logger.access(resp, req, environ, datetime.timedelta(seconds=1, microseconds=2345))
    logger.access_log.handlers[0].flush()
    return (tmp_path / "access.log").read_text().strip()


def test_a_plain_format_logs_what_gunicorns_whole_atoms_would(tmp_path):
    # Every atom gunicorn has that is not a header or an environ value (the time `t` moves, so it is left out).
    every_plain = " ".join(f"%({name})s" for name in "h l u r s m U q H b B f a T D M L p".split())
    plain, whole = _logged(tmp_path / "a", every_plain), _logged(tmp_path / "b", every_plain, plain=False)
    assert plain == whole
    assert "10.0.0.7 - market" in plain and "201 POST" in plain and "87 87" in plain and "1002 1.002345" in plain
    assert "abcDEF123" not in plain and "tgen_1" not in plain and "8f2kq9z1" not in plain


def test_a_format_naming_a_header_still_gets_it(tmp_path):
    assert _logged(tmp_path / "a", "%(s)s %({x-till}i)s %({content-type}o)s %({wsgi.url_scheme}e)s") == (
        "201 till-1 application/json https"
    )
