// The inbox's "turn notifications on" button: registers the service worker, subscribes with the server's
// VAPID key and hands the subscription to Dangol. No inline script (CSP): the button carries the URLs and
// the words to say (data-denied, data-on, data-failed), translated by the template.
(function () {
  const button = document.getElementById("push-on");
  const status = document.getElementById("push-status");
  if (!button || !("serviceWorker" in navigator) || !("PushManager" in window)) return;

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  function active(registration) {
    return new Promise((resolve) => {
      const worker = registration.installing || registration.waiting;
      if (registration.active || !worker) return resolve(registration);
      worker.addEventListener("statechange", () => {
        if (worker.state === "activated") resolve(registration);
      });
    });
  }
  function say(text) {
    if (status) status.textContent = text;
  }

  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        say(button.dataset.denied);
        return;
      }
      // Scope /push/ (no page there), beside the offline worker at "/": navigator.serviceWorker.ready
      // follows this page's worker, not this one, so wait for this registration to be active.
      const registration = await navigator.serviceWorker.register(button.dataset.worker, { scope: "/push/" });
      await active(registration);
      const key = (await (await fetch(button.dataset.key)).json()).application_server_key;
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
      const response = await fetch(button.dataset.subscribe, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(subscription.toJSON()),
      });
      say(response.ok ? button.dataset.on : button.dataset.failed);
      button.dataset.done = response.ok ? "1" : "";
    } catch (error) {
      say(button.dataset.failed);
    } finally {
      button.disabled = false;
    }
  });
})();
