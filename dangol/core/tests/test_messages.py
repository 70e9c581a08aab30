"""Flash messages: made only when a request adds or shows one, and still carried to the next page."""

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.functional import empty


def test_an_api_answer_makes_no_message_storage(client, db):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.wsgi_request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_before_a_redirect_is_shown_on_the_page_it_leads_to(signed_in, customer, store):
    client = signed_in(customer)
    response = client.post(reverse("channels:follow", args=[store.public_id]), {"collection": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"{store.name}의 단골이 되었습니다!" in page
    assert not list(get_messages(client.get(response["Location"]).wsgi_request))  # shown once
