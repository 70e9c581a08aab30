// Dangol's service worker: the wallet, stamp cards, inbox and stall screen keep working without network.
// Pages and their files are fetched from the network first; when that fails, the copy kept from the
// last visit is shown. Nothing else is touched: other pages, the API and every POST go straight through.
"use strict";

var PAGES = "dangol-pages-v1";
var KEPT = [
  /^\/wallet\/$/,
  /^\/wallet\/[a-z0-9]+\/$/,
  /^\/cards\/$/,
  /^\/inbox\/$/,
  /^\/inbox\/[a-z0-9]+\/$/,
  /^\/m\/[a-z0-9]+\/stall\/$/,
  /^\/s\/[a-z0-9]+\/stall\.webmanifest$/,
  /^\/static\//,
];
var WAIT_FOR_NETWORK_MS = 4000;
var REFRESH_AFTER_MS = 10 * 60 * 1000;

function kept(url) {
  return url.origin === self.location.origin && KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function fromNetwork(request) {
  // The device says it has no network: don't wait for a request that can't succeed.
  if (self.navigator && self.navigator.onLine === false) return Promise.reject(new Error("offline"));
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("slow network")); }, WAIT_FOR_NETWORK_MS);
    fetch(request).then(function (response) { clearTimeout(timer); resolve(response); }, function (error) {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// Only whole, direct answers are kept: never a redirect to sign-in, never an error page.
function keepable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function networkFirst(request) {
  return fromNetwork(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
      return response;
    }
    if (response.status >= 500) {
      return caches.match(request, { ignoreVary: true }).then(function (old) { return old || response; });
    }
    return response;
  }, function () {
    return caches.match(request, { ignoreVary: true }).then(function (old) { return old || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin && url.pathname.indexOf("/accounts/") === 0) {
    // Signing in or out: the pages kept belong to the person who was signed in.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET" || !kept(url)) return;
  event.respondWith(networkFirst(request));
});

// A page asks to keep itself and what it links to (each coupon of the wallet) after a visit online.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return Promise.all(urls.map(function (raw) {
      var url = new URL(raw, self.location.origin);
      if (!kept(url)) return null;
      return cache.match(url.href).then(function (old) {
        var date = old && Date.parse(old.headers.get("date"));
        var fresh = url.pathname.indexOf("/static/") === 0 || (date && Date.now() - date < REFRESH_AFTER_MS);
        if (old && fresh) return null;
        return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
          if (keepable(response)) return cache.put(url.href, response);
          if (response.status === 404 || response.status === 410) return cache.delete(url.href);
          return null;
        }).catch(function () { return null; });
      });
    })).then(function () {
      // Tell the page its copies are in place (it marks itself, and a test can wait for it).
      if (event.source) event.source.postMessage({ kept: true });
    });
  }));
});
