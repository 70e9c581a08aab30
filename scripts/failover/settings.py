"""dangol.settings, but DATABASE_URL may name several hosts, as libpq does:

    postgres://postgres@127.0.0.1:25432,127.0.0.1:25433/dangol?target_session_attrs=read-write

dj-database-url refuses that form ("not a valid url"), so dangol.settings cannot take it today. This
module parses it (database_config below) and hands psycopg a comma-separated HOST and PORT; libpq then
tries each host in turn and keeps the one that accepts writes. scripts/failover_test.py points
DJANGO_SETTINGS_MODULE here; the same function belongs in dangol/settings.py (see the test's report).
"""

import os
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

_url = os.environ.pop("DATABASE_URL", "")  # dangol.settings must not see the multi-host form
try:
    from dangol.settings import *  # noqa: F403
    from dangol.settings import DATABASES, env_int
finally:
    if _url:
        os.environ["DATABASE_URL"] = _url


def _split_host(item):
    """'h:p' / '[::1]:p' / 'h' -> (host, port or '')."""
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        return host, rest.removeprefix(":")
    host, _, port = item.partition(":")
    return host, port


def database_config(url, *, conn_max_age=0):
    """dj_database_url.parse, plus libpq's multi-host form (host1:port1,host2:port2)."""
    parts = urlsplit(url)
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if "," not in hostlist:
        return dj_database_url.parse(url, conn_max_age=conn_max_age)
    hosts = [_split_host(item) for item in hostlist.split(",")]
    first = hostlist.split(",")[0]
    config = dj_database_url.parse(
        urlunsplit(parts._replace(netloc=f"{userinfo}{at}{first}")), conn_max_age=conn_max_age
    )
    config["HOST"] = ",".join(host for host, _ in hosts)
    config["PORT"] = ",".join(port or "5432" for _, port in hosts)
    return config


if _url:
    DATABASES["default"] = database_config(_url, conn_max_age=env_int("DANGOL_DB_CONN_MAX_AGE", 0))


# The test's client plays the reverse proxy: every customer's requests carry an X-Forwarded-For of
# their own (10.77.x.y), so per-address limits (coupon claims per hour) count per customer, as they
# would behind deploy's proxy, instead of all customers sharing 127.0.0.1.
TRUSTED_PROXIES = ["127.0.0.1"]
