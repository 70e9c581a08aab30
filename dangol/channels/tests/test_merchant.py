import io

import pytest
from django.urls import reverse
from PIL import Image

from dangol.channels.models import Follow, Store


def _png(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 50, 50)).save(out, "PNG")
    out.name = "photo.png"
    out.seek(0)
    return out


@pytest.fixture
def followed_store(store, customer, stranger):
    Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    Follow.start(customer=stranger, store=store, ads=False, night=False, via="web", share_phone=True)
    return store


MERCHANT_URLS = [
    ("channels:dashboard", {}),
    ("channels:profile", {}),
    ("channels:followers", {}),
    ("channels:qr", {"fmt": "svg"}),
    ("channels:qr", {"fmt": "png"}),
    ("messaging:compose", {}),
    ("messaging:sent_list", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), MERCHANT_URLS)
def test_merchant_pages_are_not_found_for_anyone_but_the_stores_merchant(
    name, kwargs, client, signed_in, store, other_merchant, customer
):
    url = reverse(name, kwargs={"public_id": store.public_id, **kwargs})
    assert client.get(url).status_code == 302  # anonymous: sign in first
    for wrong in (other_merchant, customer):
        assert signed_in(wrong).get(url).status_code == 404
        assert signed_in(wrong).post(url, {"name": "가로챈 가게", "body": "x", "kind": "info"}).status_code == 404
    store.refresh_from_db()
    assert store.name == "햇살과일"


@pytest.mark.parametrize(("name", "kwargs"), MERCHANT_URLS)
def test_merchant_pages_open_for_the_stores_merchant(name, kwargs, signed_in, merchant, store):
    assert signed_in(merchant).get(reverse(name, kwargs={"public_id": store.public_id, **kwargs})).status_code == 200


def test_followers_show_masked_numbers_unless_the_customer_shared(
    signed_in, merchant, followed_store, customer, stranger
):
    page = signed_in(merchant).get(reverse("channels:followers", args=[followed_store.public_id])).content.decode()
    assert "010-****-0001" in page  # customer +821022220001
    assert "010-2222-0001" not in page
    assert "010-9999-0001" in page  # stranger chose to share


def test_the_follower_list_takes_a_fixed_number_of_queries(
    signed_in, merchant, followed_store, django_assert_max_num_queries
):
    client = signed_in(merchant)
    url = reverse("channels:followers", args=[followed_store.public_id])
    with django_assert_max_num_queries(8):
        client.get(url)


def test_the_merchant_edits_the_profile(signed_in, merchant, store):
    response = signed_in(merchant).post(
        reverse("channels:profile", args=[store.public_id]),
        {
            "name": "햇살청과",
            "category": "fruit",
            "stall_number": "가-1",
            "description": "사과, 배",
            "opening_hours": "7시~19시",
            "phone": "02-987-6543",
            "photo": _png(),
        },
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "햇살청과"
    assert store.phone == "+8229876543"
    assert store.photo.name.endswith(".png")


def test_a_bad_profile_phone_or_photo_is_explained_and_nothing_is_saved(signed_in, merchant, store):
    client = signed_in(merchant)
    base = {"name": "바뀐 이름", "category": "fruit"}
    response = client.post(reverse("channels:profile", args=[store.public_id]), {**base, "phone": "123"})
    assert "전화번호 형식이 올바르지 않습니다" in response.content.decode()
    fake = io.BytesIO(b"%PDF-1.4 not a picture")
    fake.name = "photo.jpg"
    response = client.post(reverse("channels:profile", args=[store.public_id]), {**base, "photo": fake})
    assert "사진" in response.content.decode()
    store.refresh_from_db()
    assert store.name == "햇살과일"


def test_the_store_qr_opens_the_store_page(signed_in, merchant, store):
    response = signed_in(merchant).get(reverse("channels:qr", args=[store.public_id, "svg"]))
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    png = signed_in(merchant).get(reverse("channels:qr", args=[store.public_id, "png"]))
    assert png.content.startswith(b"\x89PNG")
    assert signed_in(merchant).get(reverse("channels:qr", args=[store.public_id, "gif"])).status_code == 404


def test_the_store_page_is_public_and_shows_the_follow_button(client, store):
    page = client.get(reverse("channels:store", args=[store.public_id])).content.decode()
    assert store.name in page
    assert "단골 되기" in page
    assert "02-123-4567" in page


def test_a_store_page_for_a_made_up_id_is_not_found(client, db):
    assert client.get(reverse("channels:store", args=["nosuchstore"])).status_code == 404


def test_store_ids_in_urls_are_random_not_sequential(market):
    ids = {Store.objects.create(market=market, name=f"가게{n}").public_id for n in range(5)}
    assert len(ids) == 5
    assert not any(i.isdigit() for i in ids)
