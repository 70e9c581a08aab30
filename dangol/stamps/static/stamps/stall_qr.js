// The stall's stamp QR frame loads a fresh QR every few seconds (a script rather than
// <meta http-equiv="refresh">, which screen readers announce as a page that moves on by itself).
(function () {
  var seconds = Number(document.body.dataset.refreshSeconds) || 4;
  setTimeout(function () { location.reload(); }, seconds * 1000);
})();
