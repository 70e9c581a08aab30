"""gunicorn's access log without secrets: tokens in addresses (opt-out links, invitations, stamp QRs) and query
values (payment keys coming back from the payment provider) are replaced by "…" before a line is written.

Used by deploy/gunicorn.conf.py (`logger_class`); plain Python, no Django needed.
"""

import re

from gunicorn.glogging import Logger

# A path segment this long is a token or a signed value, never a word or a 10-12 character public id.
LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_:.=-]{20,}(?=/|$)")
SECRET_PREFIXES = re.compile(r"^/(o|program/join|t)/[^/]+")


def redact_path(path):
    path = SECRET_PREFIXES.sub(lambda match: f"/{match.group(1)}/…", path)
    return LONG_SEGMENT.sub("…", path)


def redact_query(query):
    """Keep the names, drop the values: `orderId=…&paymentKey=…`."""
    if not query:
        return ""
    return "&".join(f"{part.split('=', 1)[0]}=…" if "=" in part else part for part in query.split("&"))


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path, query = redact_path(environ.get("PATH_INFO", "")), redact_query(environ.get("QUERY_STRING", ""))
        target = f"{path}?{query}" if query else path
        atoms["U"] = path
        atoms["q"] = query
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
        atoms["f"] = "-"  # the Referer can carry a token too
        return atoms
