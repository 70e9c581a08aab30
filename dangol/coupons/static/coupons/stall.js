// Camera scanning on the stall screen: the browser's BarcodeDetector where it has one, otherwise the
// vendored jsQR decoder (iPhone Safari), loaded from this site only when the camera is first opened.
// Without a camera nothing changes: the merchant types the code and presses the button.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  if (!button || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var stream = null;
  var detect = null;
  var canvas = null;
  button.hidden = false;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = button.dataset.start;
  }

  // A customer's member QR gives a stamp; anything else is a coupon. requestSubmit lets the stall's
  // offline script decide whether the server or this device takes it.
  function submit(text) {
    var member = document.getElementById("member-form");
    var form = member && text.indexOf(member.dataset.prefix) === 0 ? member : document.getElementById("redeem-form");
    form.querySelector("[data-scan-target]").value = text;
    if (form.requestSubmit) form.requestSubmit();
    else if (form.dispatchEvent(new Event("submit", { cancelable: true }))) form.submit();
  }

  function nativeDetector() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return Promise.resolve(function () {
      return detector.detect(video).then(function (found) { return found.length ? found[0].rawValue : null; });
    });
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDetector() {
    var ready = window.jsQR ? Promise.resolve() : loadScript(button.dataset.decoder);
    return ready.then(function () {
      canvas = canvas || document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function look() {
    if (!stream) return;
    detect().then(function (text) {
      if (text) { stop(); submit(text); } else { window.setTimeout(look, 200); }
    }).catch(function () { window.setTimeout(look, 400); });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    var making = "BarcodeDetector" in window ? nativeDetector() : jsqrDetector();
    making.then(function (detector) {
      detect = detector;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.dataset.stop;
      video.play();
      look();
    }).catch(function () { button.textContent = button.dataset.denied; });
  });
})();
