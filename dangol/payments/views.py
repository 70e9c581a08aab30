from urllib.parse import urlencode

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from .models import Payment, Status
from .providers import TestProvider, get_provider
from .services import USER_CANCELED


def _get_own_payment(request, order_id, provider):
    """The customer's own payment with this provider; 404 for anyone else's."""
    return get_object_or_404(Payment, order_id=order_id, provider=provider, customer=request.user)


def _back(url, **params):
    return redirect(f"{url}{'&' if '?' in url else '?'}{urlencode(params)}")


@login_required
def test_checkout(request, order_id):
    """The built-in test provider's payment window: approve or cancel, then go back like a real provider."""
    payment = _get_own_payment(request, order_id, TestProvider.name)
    if request.method == "POST" and payment.status == Status.PENDING:
        if request.POST.get("action") == "pay":
            key = TestProvider().issue_key(order_id=payment.order_id, amount=payment.amount)
            return _back(payment.success_url, paymentKey=key, orderId=payment.order_id, amount=payment.amount)
        return _back(
            payment.fail_url, code=USER_CANCELED, message="사용자가 결제를 취소했습니다", orderId=payment.order_id
        )
    return render(request, "payments/test_checkout.html", {"payment": payment})


# Toss's SDK comes from their site and opens their payment window in a frame.
TOSS_CSP = {
    "script-src": ["https://js.tosspayments.com"],
    "frame-src": ["https://*.tosspayments.com"],
    "connect-src": ["https://*.tosspayments.com"],
}


@login_required
@csp_update(TOSS_CSP)
def toss_checkout(request, order_id):
    """Opens Toss Payments' payment window (their JavaScript SDK); Toss sends the customer back."""
    payment = _get_own_payment(request, order_id, "toss")
    context = {
        "payment": payment,
        "toss": {
            "clientKey": get_provider("toss").client_key,
            "orderId": payment.order_id,
            "orderName": payment.order_name,
            "amount": payment.amount,
            "successUrl": request.build_absolute_uri(payment.success_url),
            "failUrl": request.build_absolute_uri(payment.fail_url),
        },
    }
    return render(request, "payments/toss_checkout.html", context)
