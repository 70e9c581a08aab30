"""Ready-made messages a merchant starts from (DESIGN: 오늘 들어온 물건, 마감 할인, 휴무 안내, 명절 예약)."""

from django.utils.translation import gettext_lazy as _

from .models import MessageKind

TEMPLATES = {
    "arrivals": {
        "title": _("오늘 들어온 물건"),
        "kind": MessageKind.AD,
        "body": _(
            "오늘 새벽에 싱싱한 물건이 들어왔습니다!\n\n- 품목: \n- 가격: \n\n일찍 오시면 좋은 물건 골라 가실 수 있어요."
        ),
    },
    "closing_sale": {
        "title": _("마감 할인"),
        "kind": MessageKind.AD,
        "body": _(
            "오늘 마감 할인합니다!\n\n- 할인 품목: \n- 할인 시간: 오후 6시부터 다 팔릴 때까지\n\n남은 물건 싸게 드려요. 오세요!"
        ),
    },
    "closed": {
        "title": _("휴무 안내"),
        "kind": MessageKind.INFO,
        "body": _(
            "단골 손님들께 알려드립니다.\n\n- 쉬는 날: \n- 다시 여는 날: \n\n헛걸음하지 않으시도록 미리 알려드려요. 감사합니다."
        ),
    },
    "holiday_orders": {
        "title": _("명절 예약"),
        "kind": MessageKind.AD,
        "body": _(
            "명절 예약 받습니다.\n\n- 예약 품목: \n- 예약 마감: \n- 찾아가실 날: \n\n전화나 가게로 오셔서 예약해 주세요."
        ),
    },
}
