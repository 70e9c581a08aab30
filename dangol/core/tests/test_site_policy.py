"""The Content-Security-Policy header, built once per process, says what django-csp would have said."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from dangol.core.middleware import SitePolicyCSPMiddleware


def _through(middleware_class, response, path="/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda _request: response)
    return request, middleware(request)


def _both(make_response, path="/"):
    """The headers our middleware and django-csp's own set on the same response."""
    _request, ours = _through(SitePolicyCSPMiddleware, make_response(), path)
    _request, theirs = _through(CSPMiddleware, make_response(), path)
    return {h: ours.headers.get(h) for h in (HEADER, HEADER_REPORT_ONLY)}, {
        h: theirs.headers.get(h) for h in (HEADER, HEADER_REPORT_ONLY)
    }


def _directives(policy):
    return set(policy.split("; "))  # django-csp writes them in no fixed order


def test_pages_and_the_api_get_the_policy_django_csp_builds(client, db):
    ours, theirs = _both(HttpResponse)
    assert ours == theirs
    assert "script-src 'self'" in ours[HEADER]
    assert client.get("/api/v1/openapi.json").headers[HEADER] == ours[HEADER]


def test_a_changed_setting_is_followed(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    ours, theirs = _both(HttpResponse)
    assert ours == theirs == {HEADER: "default-src 'none'", HEADER_REPORT_ONLY: None}, ours
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"img-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/static/"],
    }
    ours, theirs = _both(HttpResponse)
    assert ours == theirs and "img-src 'self'" in ours[HEADER_REPORT_ONLY]
    ours, theirs = _both(HttpResponse, path="/static/site.css")
    assert ours == theirs and ours[HEADER_REPORT_ONLY] is None


def test_a_response_with_a_policy_of_its_own_keeps_it():
    def framed():
        response = HttpResponse()
        response._csp_update = {"frame-ancestors": ["'self'"]}
        return response

    ours, theirs = _both(framed)
    assert ours == theirs
    assert "frame-ancestors 'none' 'self'" in ours[HEADER]

    def exempt():
        response = HttpResponse()
        response._csp_exempt = True
        return response

    assert _both(exempt) == ({HEADER: None, HEADER_REPORT_ONLY: None},) * 2
    already = HttpResponse(headers={HEADER: "default-src 'self' cdn.example"})
    assert _through(SitePolicyCSPMiddleware, already)[1].headers[HEADER] == "default-src 'self' cdn.example"


def test_a_nonce_used_by_the_page_is_in_its_policy_and_a_late_one_is_refused(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    seen = {}

    def page(request):
        seen["nonce"] = str(request.csp_nonce)
        return HttpResponse()

    response = SitePolicyCSPMiddleware(page)(RequestFactory().get("/"))
    assert _directives(response.headers[HEADER]) == {"default-src 'self'", f"script-src 'self' 'nonce-{seen['nonce']}'"}
    assert _directives(_both(HttpResponse)[0][HEADER]) == {"default-src 'self'", "script-src 'self'"}  # used none
    late_request, _response = _through(SitePolicyCSPMiddleware, HttpResponse())
    with pytest.raises(CSPNonceError):
        str(late_request.csp_nonce)
