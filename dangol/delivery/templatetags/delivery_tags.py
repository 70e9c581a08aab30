from django import template

from dangol.messaging.models import MessageKind

from ..services import sms_preview

register = template.Library()


@register.inclusion_tag("delivery/sms_notice.html")
def sms_notice(store):
    """Before sending: how many regulars get this by SMS, what it costs, and the market's credit."""
    return {
        "store": store,
        "info": sms_preview(store=store, kind=MessageKind.INFO, body=""),
        "ad": sms_preview(store=store, kind=MessageKind.AD, body=""),
    }
