import pytest
from django.urls import reverse

from dangol.coupons.models import Campaign
from dangol.stamps.models import StampProgram


def _form(**fields):
    data = {
        "goal": "10",
        "reward_kind": "gift",
        "reward_gift": "떡 한 팩",
        "reward_days": "30",
        "expires_from": "last",
        "limit_mode": "daily",
    }
    data.update(fields)
    return data


def test_the_merchant_starts_a_stamp_card(signed_in, merchant, store):
    client = signed_in(merchant)
    url = reverse("stamps:program", args=[store.public_id])
    response = client.post(url, _form(mid_at="5", mid_kind="amount", mid_amount="500", expires_after_days="90"))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "도장 10개 모으면" in page and "사은품: 떡 한 팩" in page and "500원 할인" in page
    program = StampProgram.objects.get()
    assert program.reward.method == "reward" and program.expires_after_days == 90
    assert program.milestones.get().at == 5


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"goal": "0"}, "goal", "도장 수는 1개에서 50개 사이로 정해 주세요."),
        ({"goal": "51"}, "goal", "도장 수는 1개에서 50개 사이로 정해 주세요."),
        (
            {"reward_kind": "percent", "reward_percent": "95"},
            "reward_percent",
            "할인율은 1%에서 90% 사이로 정해 주세요.",
        ),
        ({"reward_gift": ""}, "reward_gift", "어떤 사은품을 주는지 적어 주세요."),
        ({"mid_at": "10", "mid_kind": "gift", "mid_gift": "x"}, "mid_at", "중간 보상은 1개부터 모을 도장 수보다 적게"),
        ({"limit_mode": "hours"}, "limit_hours", "1시간에서 168시간 사이로 적어 주세요."),
        ({"limit_mode": "hours", "limit_hours": "0"}, "limit_hours", "1시간에서 168시간 사이로 적어 주세요."),
        ({"expires_after_days": "0"}, "expires_after_days", "유효 기간은 1일에서 730일 사이로 적어 주세요."),
        ({"goal": "열"}, "goal", "숫자만 적어 주세요."),
    ],
)
def test_bad_stamp_cards_are_explained_and_nothing_is_written(signed_in, merchant, store, fields, field, message):
    response = signed_in(merchant).post(reverse("stamps:program", args=[store.public_id]), _form(**fields))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert not StampProgram.objects.exists()
    assert not Campaign.objects.exists()


def test_one_active_stamp_card_per_store(signed_in, merchant, store, program):
    page = signed_in(merchant).get(reverse("stamps:program", args=[store.public_id])).content.decode()
    assert "스탬프 카드 끝내기" in page and "스탬프 카드 시작" not in page
    from django.core.exceptions import ValidationError

    from dangol.stamps.services import stamp_program_start

    with pytest.raises(ValidationError):
        stamp_program_start(
            store=store,
            by=merchant,
            goal=5,
            reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "x"},
            reward_days=30,
            expires_from="last",
            limit_mode="daily",
        )
    assert StampProgram.objects.count() == 1


def test_ending_a_card_lets_the_merchant_start_another(signed_in, merchant, store, program):
    client = signed_in(merchant)
    client.post(reverse("stamps:program_end", args=[store.public_id]))
    program.refresh_from_db()
    assert program.status == "ended"
    client.post(reverse("stamps:program", args=[store.public_id]), _form(goal="5"))
    assert StampProgram.objects.filter(status="active").get().goal == 5


def test_the_stall_screen_shows_the_rotating_qr_only_with_a_stamp_card(signed_in, merchant, store, make_program):
    client = signed_in(merchant)
    page = client.get(reverse("coupons:stall", args=[store.public_id])).content.decode()
    assert "스탬프 카드 만들기" in page
    assert client.get(reverse("stamps:stall_qr", args=[store.public_id])).status_code == 404
    make_program()
    page = client.get(reverse("coupons:stall", args=[store.public_id])).content.decode()
    assert f'src="{reverse("stamps:stall_qr", args=[store.public_id])}"' in page
    assert 'id="member-form" data-prefix="DGM1."' in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"goal": 0}, "goal"),
        ({"goal": 10**6}, "goal"),
        ({"reward": {"kind": "gift", "gift": "\u3164\u200b"}}, "reward_gift"),
        ({"reward": {"kind": "gift", "gift": "떡" * 100_000}}, "reward_gift"),
        ({"reward": {"kind": "amount", "amount_off": 10**12}}, "reward_amount"),
        ({"reward_days": 0}, "reward_days"),
        ({"milestone": {"kind": "percent", "percent_off": 99}, "milestone_at": 1}, "mid_percent"),
        ({"milestone": {"kind": "gift", "gift": "x"}, "milestone_at": 3}, "mid_at"),
        ({"limit_mode": "hours", "limit_hours": 169}, "limit_hours"),
        ({"expires_after_days": 731}, "expires_after_days"),
    ],
)
def test_the_service_itself_refuses_what_the_form_would_and_writes_nothing(make_program, fields, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_program(**fields)
    assert field in error.value.message_dict, error.value.message_dict
    assert not StampProgram.objects.exists()
    assert not Campaign.objects.exists()


def test_the_customers_stamp_card_names_its_reward_and_the_one_on_the_way(signed_in, customer, make_program):
    program = make_program(
        goal=5,
        milestone={"kind": "amount", "amount_off": 500, "percent_off": None, "gift": ""},
        milestone_at=3,
    )
    program.card_for(customer).add_stamp(via="member")

    page = signed_in(customer).get(reverse("stamps:cards")).content.decode()

    assert "도장 5개를 모으면 <strong>사은품: 떡 한 팩</strong> 쿠폰을 드립니다." in page
    assert "가는 길에 도장 3개: 500원 할인" in page
