"""A WSGI app of a few lines for the web worker's tests: answers with the pid of the worker that served it,
after `?sleep=<seconds>` if asked (a busy worker)."""

import os
import time
from urllib.parse import parse_qs


def app(environ, start_response):
    sleep = parse_qs(environ.get("QUERY_STRING", "")).get("sleep")
    if sleep:
        time.sleep(float(sleep[0]))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
