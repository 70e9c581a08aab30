from django.urls import reverse

from dangol.channels.models import Follow
from dangol.markets.models import Market


def test_the_market_page_lists_its_stores_and_filters_by_kind(client, market, store, other_store):
    page = client.get(reverse("markets:detail", args=[market.public_id])).content.decode()
    assert store.name in page and other_store.name in page
    page = client.get(reverse("markets:detail", args=[market.public_id]) + "?category=fish").content.decode()
    assert other_store.name in page and store.name not in page


def test_the_association_sees_follower_counts_per_store(
    signed_in, market_admin, market, store, other_store, customer, stranger
):
    Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    Follow.start(customer=stranger, store=store, ads=False, night=False, via="web")
    ended, _ = Follow.start(customer=customer, store=other_store, ads=False, night=False, via="web")
    ended.end(via="web")
    response = signed_in(market_admin).get(reverse("markets:manage", args=[market.public_id]))
    counts = {s.name: s.follower_count for s in response.context["stores"]}
    assert counts == {"햇살과일": 2, "바다수산": 0}
    assert response.context["total"] == 2


def test_the_association_edits_the_market_page(signed_in, market_admin, market):
    response = signed_in(market_admin).post(
        reverse("markets:manage", args=[market.public_id]),
        {"name": "시험시장", "address": "가상시 1", "opening_hours": "8시~20시", "description": "새 소개"},
    )
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.description == "새 소개"


def test_a_nameless_market_is_refused(signed_in, market_admin, market):
    response = signed_in(market_admin).post(reverse("markets:manage", args=[market.public_id]), {"name": ""})
    assert response.status_code == 200
    assert "필수 항목" in response.content.decode()
    market.refresh_from_db()
    assert market.name == "시험시장"


def test_only_the_association_manages_its_market(client, signed_in, market, merchant, customer, market_admin):
    other = Market.objects.create(name="다른시장")
    url = reverse("markets:manage", args=[market.public_id])
    assert client.get(url).status_code == 302
    for wrong in (merchant, customer):
        assert signed_in(wrong).get(url).status_code == 404
        assert signed_in(wrong).post(url, {"name": "빼앗긴 시장"}).status_code == 404
    assert signed_in(market_admin).get(reverse("markets:manage", args=[other.public_id])).status_code == 404
    market.refresh_from_db()
    assert market.name == "시험시장"


def test_the_demo_market_loads_once_with_about_sixty_stores(db):
    from django.core.management import call_command

    call_command("load_demo")
    market = Market.objects.get()
    assert 55 <= market.stores.count() <= 65
    assert len({s.category for s in market.stores.all()}) >= 10
    assert Follow.objects.active().count() > 40
    call_command("load_demo")
    assert Market.objects.count() == 1


def test_staff_manage_every_market_and_the_rest_only_their_own(market, market_admin, merchant, db):
    from dangol.accounts.models import User

    other = Market.objects.create(name="다른시장")
    staff = User.objects.create_user("+821090000009", is_staff=True)
    assert set(Market.objects.administered_by(staff)) == {market, other}
    assert list(Market.objects.administered_by(market_admin)) == [market]
    assert not Market.objects.administered_by(merchant).exists()


def test_a_market_name_made_of_invisible_characters_is_refused(signed_in, market_admin, market):
    response = signed_in(market_admin).post(
        reverse("markets:manage", args=[market.public_id]), {"name": "\u200b\u3164", "description": "소개"}
    )
    assert response.status_code == 200
    assert "보이는 글자를 입력해 주세요." in response.content.decode()
    market.refresh_from_db()
    assert (market.name, market.description) == ("시험시장", "")
