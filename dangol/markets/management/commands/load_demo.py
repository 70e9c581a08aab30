"""A fictional market with about 60 real kinds of stalls, regulars and messages.

Loads only into an empty database (no markets yet), unless --force is given.
"""

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from dangol.accounts.models import User
from dangol.channels.models import Category, ConsentVia, Follow, Store
from dangol.markets.models import Market
from dangol.messaging.models import Message, MessageKind

MERCHANT_PHONE = "+821010000001"
CUSTOMER_PHONE = "+821020000001"
MARKET_ADMIN_PHONE = "+821030000001"
STAFF_PHONE = "+821090000001"

STALLS = {
    Category.FRUIT: ["햇살과일", "김씨네 과일", "사계절 청과", "달콤농원 과일", "산들과일"],
    Category.VEGETABLE: ["초록채소", "할머니 나물", "텃밭야채", "싱싱채소", "봄내음 나물가게"],
    Category.FISH: ["바다수산", "동해생선", "제일수산", "목포 갈치", "통영 굴집", "부두수산"],
    Category.RICE_CAKE: ["할매떡집", "고향떡방앗간", "꽃떡공방", "찹쌀떡집"],
    Category.SIDE_DISH: ["엄마손반찬", "정성반찬", "밥도둑 반찬", "집밥반찬", "우리동네 반찬가게"],
    Category.MEAT: ["한우정육점", "으뜸 정육", "돼지마을", "토종닭집", "미소정육"],
    Category.DRIED_SEAFOOD: ["동해건어물", "남해 멸치", "황태덕장", "바다내음 건어물"],
    Category.SNACK: ["시장 떡볶이", "할머니 순대", "원조 빈대떡", "꼬마김밥", "호떡집", "어묵 한 꼬치"],
    Category.GRAIN: ["오곡잡곡", "햅쌀상회", "참깨 들깨 방앗간"],
    Category.KIMCHI: ["전라도 김치", "강경젓갈", "할머니 장아찌"],
    Category.BAKERY: ["옛날과자", "도넛 가게", "찐빵 만두"],
    Category.CLOTHING: ["몸빼 의류", "양말 속옷", "한복 수선"],
    Category.HOUSEWARE: ["그릇 가게", "철물점", "이불 가게", "잡화 천국"],
    Category.OTHER: ["꽃집", "열쇠 도장", "참기름 방앗간"],
}

MESSAGES = [
    (MessageKind.AD, "오늘 새벽에 제주 감귤이 들어왔습니다! 한 박스 2만원, 단골 손님께는 덤을 드려요."),
    (MessageKind.AD, "마감 할인! 오후 6시부터 고등어 한 손 5천원입니다. 다 팔리면 끝이에요."),
    (MessageKind.INFO, "다음 주 월요일은 가게 쉽니다. 화요일부터 정상 영업합니다. 감사합니다."),
    (MessageKind.AD, "설 명절 떡국떡 예약 받습니다. 1kg 8천원, 예약 마감은 설 사흘 전입니다."),
]


class Command(BaseCommand):
    help = "Load the demo market (only into an empty database unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force, **options):
        if Market.objects.exists() and not force:
            self.stdout.write("Demo data not loaded: the database already has markets.")
            return
        rng = random.Random(2026)
        with transaction.atomic():
            market = self._load(rng)
        self.stdout.write(self.style.SUCCESS(f"Loaded demo market {market.name} ({market.stores.count()} stores)."))

    def _load(self, rng):
        market = Market.objects.create(
            name="햇살골목시장",
            address="가상시 중앙구 햇살로 12 (데모용 가상 시장)",
            opening_hours="매일 08:00~20:00, 첫째·셋째 월요일 휴무",
            description="1970년부터 이어 온 동네 시장입니다. 가게 60여 곳이 제철 먹거리와 생활용품을 팝니다.",
        )
        admin = User.objects.create_user(MARKET_ADMIN_PHONE, name="상인회 사무장")
        market.admins.add(admin)
        User.objects.create_superuser(STAFF_PHONE, name="운영진")

        stores = []
        number = 1
        for category, names in STALLS.items():
            for name in names:
                owner = User.objects.create_user(f"+8210100{number:05d}", name=f"{name} 사장님")
                store = Store.objects.create(
                    market=market,
                    name=name,
                    category=category,
                    stall_number=f"{'가나다라'[number % 4]}-{number:02d}",
                    description=f"{category.label} 전문. 매일 아침 직접 골라 온 물건만 팝니다.",
                    opening_hours="08:00~19:00",
                    phone=f"+8210100{number:05d}",
                )
                store.owners.add(owner)
                stores.append(store)
                number += 1

        customers = [User.objects.create_user(f"+8210200{n:05d}", name="") for n in range(1, 41)]
        since = timezone.now() - dt.timedelta(days=60)
        for customer in customers:
            for store in rng.sample(stores, rng.randint(1, 6)):
                ads = rng.random() < 0.7
                follow, _events = Follow.start(
                    customer=customer, store=store, ads=ads, night=ads and rng.random() < 0.3, via=ConsentVia.WEB
                )
                Follow.objects.filter(pk=follow.pk).update(started_at=since + dt.timedelta(hours=rng.randint(0, 1400)))
        # The demo customer follows the first store, so the inbox has something in it.
        if not Follow.objects.filter(customer=customers[0], store=stores[0]).exists():
            Follow.start(customer=customers[0], store=stores[0], ads=True, night=False, via=ConsentVia.WEB)

        for store, (kind, body) in zip(stores[:: len(stores) // 4], MESSAGES, strict=False):
            message = Message(
                store=store, kind=kind, body=body, send_at=timezone.now() - dt.timedelta(hours=rng.randint(1, 48))
            )
            if kind == MessageKind.AD:
                message.label_as_ad()
            message.save()
            message.deliver()
        return market
