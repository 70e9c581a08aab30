import pytest
from django.urls import reverse

from dangol.stamps.members import member_token
from dangol.stamps.models import Stamp, StampProgram


def _urls(store, customer):
    s = store.public_id
    return [
        ("get", reverse("stamps:program", args=[s]), {}),
        ("post", reverse("stamps:program", args=[s]), {"goal": "5"}),
        ("post", reverse("stamps:program_end", args=[s]), {}),
        ("get", reverse("stamps:stall_qr", args=[s]), {}),
        ("post", reverse("stamps:give", args=[s]), {"token": member_token(customer)}),
    ]


@pytest.mark.parametrize("who", ["other_merchant", "customer", "stranger"])
def test_merchant_stamp_pages_are_404_for_everyone_else(request, signed_in, store, customer, program, who):
    client = signed_in(request.getfixturevalue(who))
    for method, url, data in _urls(store, customer):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert StampProgram.objects.get().status == "active"
    assert not Stamp.objects.exists()


def test_merchant_stamp_pages_send_anonymous_visitors_to_sign_in(client, store, customer, program):
    for method, url, data in [*_urls(store, customer), ("get", reverse("stamps:cards"), {})]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/"), url
    assert not Stamp.objects.exists()
