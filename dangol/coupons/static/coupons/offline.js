// The wallet and stamp cards without network: registers the service worker, asks it to keep this page
// and each coupon it links to, says when the page shown is the copy from the last visit, and shows
// "사용 대기" on a coupon used while offline until the stall's record reaches the server.
// Only features iPhone Safari has: service workers, the Cache API (in the worker) and localStorage.
(function () {
  "use strict";
  var PENDING = "dangol.pending-uses";
  var FORGET_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

  function toKeep() {
    var urls = [location.pathname];
    document.querySelectorAll("[data-offline-keep]").forEach(function (a) { urls.push(a.getAttribute("href")); });
    document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon], script[src]").forEach(function (el) {
      urls.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    // Files a page loads only when it needs them (a decoder, a signature check) are kept too.
    document.querySelectorAll("[data-keep-file]").forEach(function (el) { urls.push(el.dataset.keepFile); });
    return urls;
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.kept) document.body.dataset.kept = "1";
    });
    navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (navigator.onLine && registration.active) registration.active.postMessage({ keep: toKeep() });
      })
      .catch(function () { /* no worker (private browsing): the page still works online */ });
  }

  var note = document.getElementById("offline-note");
  function showConnection() { if (note) note.hidden = navigator.onLine; }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  showConnection();

  function readMarks() {
    try { return JSON.parse(window.localStorage.getItem(PENDING)) || {}; } catch (e) { return {}; }
  }
  function writeMarks(marks) {
    try { window.localStorage.setItem(PENDING, JSON.stringify(marks)); } catch (e) { /* storage full or off */ }
  }
  function showPending(element) {
    element.querySelectorAll("[data-pending-badge]").forEach(function (badge) { badge.hidden = false; });
    element.querySelectorAll("[data-use-link]").forEach(function (link) { link.hidden = true; });
  }

  var marks = readMarks();
  var now = Date.now();
  document.querySelectorAll("[data-coupon]").forEach(function (element) {
    var id = element.dataset.coupon;
    var state = element.dataset.state;
    // The server has the stall's record (or the coupon is over): the mark has done its job.
    if ((state && state !== "usable" && state !== "not_yet") || (marks[id] && now - Date.parse(marks[id]) > FORGET_AFTER_MS)) {
      delete marks[id];
      return;
    }
    if (marks[id]) showPending(element);
    element.querySelectorAll("a[data-use-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (navigator.onLine) return;
        event.preventDefault();
        marks[id] = new Date().toISOString();
        writeMarks(marks);
        showPending(element);
      });
    });
  });
  writeMarks(marks);
})();
