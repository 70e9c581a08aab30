// Opens Toss Payments' payment window with the order the page carries (no inline script: CSP).
(function () {
  var data = document.getElementById("toss-order");
  var button = document.getElementById("pay");
  if (!data || !button || typeof TossPayments === "undefined") return;
  var order = JSON.parse(data.textContent);
  var payment = TossPayments(order.clientKey).payment({customerKey: TossPayments.ANONYMOUS});
  button.disabled = false;
  button.addEventListener("click", function () {
    payment.requestPayment({
      method: "CARD",
      amount: {currency: "KRW", value: order.amount},
      orderId: order.orderId,
      orderName: order.orderName,
      successUrl: order.successUrl,
      failUrl: order.failUrl
    });
  });
})();
