from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dangol.channels.access import managed_store
from dangol.channels.models import Follow

from .forms import MessageForm
from .models import InboxItem, MessageKind, OptOutLink, opt_out_token
from .services import message_preview, message_send, message_send_to_self, opt_out_withdraw
from .templates_text import TEMPLATES


@login_required
def compose(request, public_id):
    """Write a message; "미리 보기" shows it as regulars will see it, "나에게 먼저 보내기" puts a copy in
    the merchant's own inbox, "보내기" (the default) sends it. A coupon is attached from here through
    the coupons app's own pages (`coupon_attach` on the page), which this app does not import."""
    store = managed_store(request.user, public_id)
    template = TEMPLATES.get(request.GET.get("template", ""))
    initial = {"kind": template["kind"], "body": template["body"]} if template else None
    form = MessageForm(request.POST or None, request.FILES or None, initial=initial)
    action = request.POST.get("action", "send")
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content = {k: data[k] for k in ("kind", "body", "image", "buttons")}
        try:
            if action == "preview":
                preview = message_preview(store=store, author=request.user, **content)
            elif action == "test":
                message_send_to_self(store=store, author=request.user, **content)
                messages.success(request, _("내 받은 메시지함에 먼저 보냈습니다. 확인하고 보내기를 눌러 주세요."))
                preview = message_preview(store=store, author=request.user, **content)
            else:
                message = message_send(store=store, author=request.user, send_at=data["send_at"], **content)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            if preview is None:
                sent = _("메시지를 예약했습니다.") if data["send_at"] else _("메시지를 보냈습니다.")
                messages.success(request, sent)
                return redirect("messaging:sent", public_id=store.public_id, message_id=message.public_id)
    if preview is not None:
        preview.image = ""  # an upload is not kept between pages; the file picker asks for it again
    follows = store.follows.active()
    context = {
        "store": store,
        "form": form,
        "templates": TEMPLATES,
        "preview": preview,
        "image_dropped": bool(preview and request.FILES.get("image")),
        "follower_count": follows.count(),
        "ad_follower_count": follows.filter(ads_consent=True).count(),
    }
    return render(request, "messaging/compose.html", context)


@login_required
def sent_list(request, public_id):
    store = managed_store(request.user, public_id)
    sent = store.messages.exclude(kind=MessageKind.NOTICE)[:100]
    return render(request, "messaging/sent_list.html", {"store": store, "sent": sent})


@login_required
def sent_detail(request, public_id, message_id):
    store = managed_store(request.user, public_id)
    message = get_object_or_404(store.messages.exclude(kind=MessageKind.NOTICE), public_id=message_id)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if message.cancel():
            messages.success(request, _("예약을 취소했습니다."))
        else:
            messages.error(request, _("이미 보낸 메시지는 취소할 수 없습니다."))
        return redirect("messaging:sent", public_id=store.public_id, message_id=message.public_id)
    read = message.inbox_items.filter(read_at__isnull=False).count()
    return render(request, "messaging/sent_detail.html", {"store": store, "message": message, "read": read})


@login_required
def inbox(request):
    items = list(InboxItem.objects.for_customer(request.user)[:100])
    unread = InboxItem.objects.unread_by_store(request.user)
    return render(request, "messaging/inbox.html", {"items": items, "unread_total": sum(unread.values())})


@login_required
def inbox_item(request, message_id):
    item = get_object_or_404(InboxItem.objects.for_customer(request.user), message__public_id=message_id)
    item.mark_read()
    opt_out_url = None
    if item.message.is_ad:
        follow = Follow.objects.filter(customer=request.user, store=item.message.store).first()
        if follow is not None:
            opt_out_url = request.build_absolute_uri(reverse("messaging:opt_out", args=[opt_out_token(follow)]))
    return render(
        request, "messaging/inbox_item.html", {"item": item, "message": item.message, "opt_out_url": opt_out_url}
    )


# No sign-in and no CSRF cookie: the signed token in the address is the only thing that lets a POST
# withdraw, and only the consent it names. A forged cross-site POST would need that token, and whoever
# holds it can already use it; a CSRF check would only fail people whose messenger browser drops cookies.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token):
    """The free opt-out link in every ad (정보통신망법 §50): a tap shows one button and changes nothing,
    so link-preview bots can't opt anyone out; the button (POST) withdraws, once, without sign-in."""
    if request.method == "POST":
        link = opt_out_withdraw(link_token=token)
    else:
        link = OptOutLink.from_token(token)
    if link is None:
        response = render(request, "messaging/opt_out.html", {"bad_link": True}, status=404)
    else:
        context = {"store": link.follow.store, "state": link.state, "just_done": link.withdrawn_now}
        response = render(request, "messaging/opt_out.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token must not leave in a Referer
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def mark_all_read(request):
    InboxItem.objects.visible().filter(customer=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("messaging:inbox")
