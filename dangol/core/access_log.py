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


# What gunicorn's atoms other than headers and environ values ({name}i, {name}o, {name}e) read from the environ.
PLAIN_ATOMS_READ = (
    "REMOTE_ADDR",
    "REQUEST_METHOD",
    "RAW_URI",
    "SERVER_PROTOCOL",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_REFERER",
    "HTTP_USER_AGENT",
    "HTTP_AUTHORIZATION",
)


class Answered:
    """A response as the plain atoms see it: its status and size, none of its headers."""

    __slots__ = ("headers", "sent", "status")

    def __init__(self, resp):
        self.status, self.sent, self.headers = resp.status, getattr(resp, "sent", None), ()


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # Dangol's format shows five plain atoms, but gunicorn makes an atom of every request and response header
        # and every environ value for each line: 37 µs a line, 27 µs without them. A format that names none of
        # them is given only what its atoms read.
        self.plain_format = "}" not in (cfg.access_log_format or "")

    def atoms(self, resp, req, environ, request_time):
        if self.plain_format:
            resp, req, environ = (
                Answered(resp),
                (),
                {name: environ[name] for name in PLAIN_ATOMS_READ if name in environ},
            )
        atoms = super().atoms(resp, req, environ, request_time)
        path, query = redact_path(environ.get("PATH_INFO", "")), redact_query(environ.get("QUERY_STRING", ""))
        target = f"{path}?{query}" if query else path
        atoms["U"] = path
        atoms["q"] = query
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
        atoms["f"] = "-"  # the Referer can carry a token too
        return atoms
