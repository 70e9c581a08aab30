// The stall screen without network. On each visit online it keeps the store's public keys, the
// revocation list and the codes of live coupons in IndexedDB. When the server can't be reached it checks
// a coupon QR by its Ed25519 signature, expiry and the revocations (or a typed code against the kept
// codes), records the use on this device with an id made here, and sends the records when the network
// is back: the server takes each exactly once and reports a coupon used twice.
(function () {
  "use strict";
  var configElement = document.getElementById("stall-offline-config");
  if (!configElement || !window.indexedDB || !window.crypto || !window.crypto.subtle) return;
  var config = JSON.parse(configElement.textContent);
  var text = config.text;
  var ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  var SYNC_EVERY_MS = 20000;
  var REACH_TIMEOUT_MS = 3000;

  // IndexedDB -------------------------------------------------------------------------------------
  var opening = null;
  function db() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open("dangol-stall", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("records", { keyPath: "client_id" });
          request.result.createObjectStore("data", { keyPath: "store" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opening;
  }
  function run(storeName, mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(storeName, mode);
        var result = work(tx.objectStore(storeName));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function allRecords() {
    return run("records", "readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return rows.filter(function (r) { return r.store === config.store; })
        .sort(function (a, b) { return a.used_at < b.used_at ? -1 : 1; });
    });
  }
  function putRecord(record) { return run("records", "readwrite", function (store) { store.put(record); }); }
  function deleteRecord(id) { return run("records", "readwrite", function (store) { store["delete"](id); }); }
  function storedData() { return run("data", "readonly", function (store) { return store.get(config.store); }); }

  // Small helpers ---------------------------------------------------------------------------------
  function unb64u(value) {
    var b64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function ascii(value) { return new TextEncoder().encode(value); }
  function sha256hex(value) {
    return crypto.subtle.digest("SHA-256", ascii(value)).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }
  function codeHash(code) { return sha256hex("dangol:" + config.store + ":" + code); }
  function newId() {
    if (crypto.randomUUID) return "off-" + crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return "off-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function deviceId() {
    var id = null;
    try { id = localStorage.getItem("dangol.device"); } catch (e) { /* private mode */ }
    if (!id) {
      id = newId().slice(4, 20);
      try { localStorage.setItem("dangol.device", id); } catch (e) { /* private mode */ }
    }
    return id;
  }
  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function clock(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function displayCode(code) { return code.slice(0, 4) + "-" + code.slice(4); }
  function normalizeCode(raw) {
    var code = (raw || "").toUpperCase().replace(/[^0-9A-Z]/g, "");
    if (code.length !== 8) return "";
    for (var i = 0; i < code.length; i++) if (ALPHABET.indexOf(code[i]) < 0) return "";
    return code;
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function timeout(ms) {
    if (window.AbortSignal && AbortSignal.timeout) return AbortSignal.timeout(ms);
    return undefined;
  }

  // On screen -------------------------------------------------------------------------------------
  var resultBox = document.getElementById("offline-result");
  var queueBox = document.getElementById("offline-queue");
  var queueCount = document.getElementById("queue-count");
  var queueList = document.getElementById("queue-list");
  var syncedAt = document.getElementById("synced-at");
  var stampFrame = document.querySelector("iframe");

  function say(message, ok) {
    if (!resultBox) return;
    resultBox.textContent = message;
    resultBox.className = "offline-result " + (ok ? "ok" : "err");
    resultBox.setAttribute("role", ok ? "status" : "alert");
    resultBox.hidden = false;
  }
  function showSynced(iso) {
    if (!syncedAt || !iso) return;
    var d = new Date(iso);
    syncedAt.setAttribute("datetime", iso);
    syncedAt.textContent = format(text.synced_at, { month: d.getMonth() + 1, day: d.getDate(), time: clock(iso) });
    syncedAt.dataset.kept = "1";
  }
  function render() {
    return allRecords().then(function (records) {
      var waiting = records.filter(function (r) { return r.status === "pending"; }).length;
      queueCount.textContent = String(waiting);
      queueBox.hidden = records.length === 0;
      queueList.textContent = "";
      records.forEach(function (record) {
        var item = document.createElement("li");
        item.className = "row";
        var label = document.createElement("span");
        var state = record.status === "refused" ? text.refused + ": " + record.detail : text.pending;
        label.textContent = clock(record.used_at) + " · " + record.label + " · " + state;
        item.appendChild(label);
        if (record.status === "refused") {
          var dismiss = document.createElement("button");
          dismiss.type = "button";
          dismiss.className = "secondary nowrap";
          dismiss.textContent = text.dismiss;
          dismiss.addEventListener("click", function () { deleteRecord(record.client_id).then(render); });
          item.appendChild(dismiss);
        }
        queueList.appendChild(item);
      });
      return records;
    });
  }
  function showConnection() { if (stampFrame) stampFrame.hidden = !navigator.onLine; }

  // What this device keeps for offline checks ------------------------------------------------------
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", signal: timeout(8000) }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }
  function refreshData() {
    return Promise.all([getJson(config.keys), getJson(config.revocations), getJson(config.rules)]).then(function (parts) {
      var coupons = {};
      parts[2].coupons.forEach(function (c) { coupons[c.h] = c; });
      var campaigns = {};
      parts[2].campaigns.forEach(function (c) { campaigns[c.id] = c; });
      var data = {
        store: config.store,
        keys: parts[0].keys,
        revoked: parts[1].codes,
        coupons: coupons,
        campaigns: campaigns,
        used: parts[2].used,
        synced_at: new Date().toISOString(),
      };
      return run("data", "readwrite", function (store) { store.put(data); }).then(function () {
        showSynced(data.synced_at);
        return data;
      });
    });
  }

  // Is the server there? Asks for the keys (small), so a yes also refreshes nothing else.
  function reachable() {
    if (!navigator.onLine) return Promise.resolve(false);
    return fetch(config.keys, { cache: "no-store", signal: timeout(REACH_TIMEOUT_MS) })
      .then(function (response) { return response.ok; }, function () { return false; });
  }

  // Offline checks ------------------------------------------------------------------------------------
  function refuse(message) { var error = new Error(message); error.refusal = true; throw error; }

  function verifySignature(publicKey, signature, message) {
    var key = unb64u(publicKey);
    return crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]).then(
      function (imported) { return crypto.subtle.verify({ name: "Ed25519" }, imported, signature, message); },
      // No Ed25519 in this browser's WebCrypto (older iPhone Safari): the vendored noble-ed25519.
      function () { return import(config.ed25519).then(function (ed) { return ed.verifyAsync(signature, message, key); }); }
    );
  }

  function readToken(token, data) {
    var parts = token.split(".");
    if (parts.length !== 3 || parts[0] !== "DG1") refuse(text.bad_qr);
    var payload;
    try { payload = JSON.parse(new TextDecoder().decode(unb64u(parts[1]))); } catch (e) { refuse(text.bad_qr); }
    if (!payload || payload.s !== config.store || typeof payload.c !== "string" || typeof payload.e !== "number") refuse(text.bad_qr);
    var key = data.keys.filter(function (k) { return k.kid === payload.k; })[0];
    if (!key) refuse(text.bad_qr);
    var signature;
    try { signature = unb64u(parts[2]); } catch (e) { refuse(text.bad_qr); }
    return verifySignature(key.x, signature, ascii(parts[0] + "." + parts[1])).then(function (valid) {
      if (!valid) refuse(text.bad_qr);
      if (payload.e * 1000 <= Date.now()) refuse(text.expired);
      return payload.c;
    });
  }

  function check(presented, amount) {
    return Promise.all([storedData(), allRecords()]).then(function (found) {
      var data = found[0];
      var records = found[1];
      if (!data) refuse(text.no_data);
      var isToken = presented.indexOf("DG1.") === 0;
      var reading = isToken ? readToken(presented, data) : Promise.resolve(normalizeCode(presented));
      return reading.then(function (code) {
        if (!code) refuse(text.no_code);
        return codeHash(code).then(function (hash) {
          if (data.revoked.indexOf(code) >= 0) refuse(text.revoked);
          var here = records.filter(function (r) { return r.code === code && r.status !== "refused"; })[0];
          if (here) refuse(format(text.used_here, { when: clock(here.used_at) }));
          if (data.used.indexOf(hash) >= 0) refuse(text.used);
          var known = data.coupons[hash];
          if (!known && !isToken) refuse(text.unknown_code);
          var campaign = known ? data.campaigns[known.campaign] : null;
          if (known && known.expires_at * 1000 <= Date.now()) refuse(text.expired);
          if (known && known.starts_at * 1000 > Date.now()) refuse(text.not_yet);
          if (campaign && amount !== null && amount < campaign.min_purchase) {
            refuse(format(text.min_purchase, { amount: campaign.min_purchase.toLocaleString("ko-KR") }));
          }
          return { code: code, benefit: campaign ? campaign.benefit : text.unknown_benefit, via: isToken ? "scan" : "code" };
        });
      });
    });
  }

  function redeemHere(form) {
    var input = form.querySelector("[name=code]");
    var amountInput = form.querySelector("[name=amount]");
    var presented = input.value.trim();
    var amount = amountInput && amountInput.value.trim() !== "" ? parseInt(amountInput.value, 10) : null;
    if (amount !== null && (isNaN(amount) || amount < 0)) amount = null;
    return check(presented, amount).then(function (coupon) {
      var record = {
        client_id: newId(),
        store: config.store,
        kind: "redemption",
        code: coupon.code,
        token: coupon.via === "scan" ? presented : null,
        amount: amount,
        used_at: new Date().toISOString(),
        label: coupon.benefit + " (" + displayCode(coupon.code) + ")",
        status: "pending",
      };
      return putRecord(record).then(function () {
        input.value = "";
        if (amountInput) amountInput.value = "";
        say(format(text.recorded, { benefit: coupon.benefit, code: displayCode(coupon.code) }), true);
        return render();
      });
    }).catch(function (error) { say(error.refusal ? error.message : text.bad_qr, false); });
  }

  function stampHere(form) {
    var member = (form.querySelector("[name=token]").value || "").trim();
    if (member.indexOf(form.dataset.prefix) !== 0 || member.length > 200) { say(text.bad_member, false); return Promise.resolve(); }
    return allRecords().then(function (records) {
      if (records.some(function (r) { return r.member_token === member; })) { say(text.member_again, false); return null; }
      var record = {
        client_id: newId(),
        store: config.store,
        kind: "stamp",
        member_token: member,
        used_at: new Date().toISOString(),
        label: text.stamp,
        status: "pending",
      };
      return putRecord(record).then(function () { say(text.stamp_recorded, true); return render(); });
    });
  }

  // Going through the server when it is there, this device when it is not.
  function intercept(form, offlineWork) {
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      reachable().then(function (online) {
        if (online) { form.submit(); return; }
        offlineWork(form);
      });
    });
  }

  // Sending the records -------------------------------------------------------------------------------
  var syncing = false;
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }
  function sendBatch(url, records, shape) {
    if (!records.length) return Promise.resolve([]);
    return post(url, { device: deviceId(), records: records.slice(0, 200).map(shape) }).then(function (answer) {
      return answer.results;
    });
  }
  function sync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return allRecords().then(function (records) {
      var pending = records.filter(function (r) { return r.status === "pending"; });
      var uses = pending.filter(function (r) { return r.kind === "redemption"; });
      var stamps = pending.filter(function (r) { return r.kind === "stamp"; });
      if (!pending.length) return null;
      return Promise.all([
        sendBatch(config.redemptions, uses, function (r) {
          var body = { client_id: r.client_id, amount: r.amount, used_at: r.used_at };
          if (r.token) body.token = r.token; else body.code = r.code;
          return body;
        }),
        sendBatch(config.stamps, stamps, function (r) {
          return { client_id: r.client_id, member_token: r.member_token, used_at: r.used_at };
        }),
      ]).then(function (answers) {
        var byId = {};
        pending.forEach(function (r) { byId[r.client_id] = r; });
        var results = answers[0].concat(answers[1]);
        var doubles = [];
        return Promise.all(results.map(function (result) {
          var record = byId[result.client_id];
          if (!record) return null;
          if (result.result === "refused") {
            record.status = "refused";
            record.detail = result.detail;
            return putRecord(record);
          }
          if (result.result === "double_use") doubles.push(displayCode(record.code));
          return deleteRecord(record.client_id);
        })).then(function () {
          var sent = results.length;
          if (doubles.length) say(format(text.double_use, { code: doubles.join(", ") }), false);
          else if (sent) say(format(text.synced, { n: sent }) + " " + text.reload, true);
          return render();
        });
      });
    }).catch(function () { /* the server is still away: the records wait for the next try */ })
      .then(function () { syncing = false; });
  }

  // Start ---------------------------------------------------------------------------------------------
  intercept(document.getElementById("redeem-form"), redeemHere);
  intercept(document.getElementById("member-form"), stampHere);
  window.addEventListener("online", function () { showConnection(); refreshData().catch(function () {}); sync(); });
  window.addEventListener("offline", showConnection);
  showConnection();
  render();
  storedData().then(function (data) { if (data && !navigator.onLine) showSynced(data.synced_at); });
  if (navigator.onLine) refreshData().catch(function () {}).then(sync);
  window.setInterval(sync, SYNC_EVERY_MS);
})();
