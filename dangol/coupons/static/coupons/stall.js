// Camera scanning on the stall screen, only where the browser has BarcodeDetector.
// Without it nothing changes: the merchant types the code and presses the button.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  if (!button || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var stream = null;
  var detector = null;
  button.hidden = false;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = button.dataset.start;
  }

  // A customer's member QR gives a stamp; anything else is a coupon.
  function submit(text) {
    var member = document.getElementById("member-form");
    var form = member && text.indexOf(member.dataset.prefix) === 0 ? member : document.getElementById("redeem-form");
    form.querySelector("[data-scan-target]").value = text;
    form.submit();
  }

  function look() {
    if (!stream) return;
    detector.detect(video).then(function (found) {
      if (found.length) { stop(); submit(found[0].rawValue); } else { window.setTimeout(look, 200); }
    }).catch(function () { window.setTimeout(look, 400); });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        button.textContent = button.dataset.stop;
        video.play();
        look();
      })
      .catch(function () { button.textContent = button.dataset.denied; });
  });
})();
