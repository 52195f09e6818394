/* The installable app's small part, on every page (SIM TPBIS, issue 15).
 *
 * Registers the service worker, asks it to keep the manager's entry forms, remembers on the phone who is
 * signed in (for the worker's sending and the offline page), and loads the full offline code
 * (offline-queue.js, offline.js) only where it is needed: on the entry and correction forms, on the offline
 * page, on any page while entries wait in the queue, and when the signal goes. Other pages stay light.
 */
(function () {
  "use strict";

  const block = document.getElementById("offline-config");
  if (!block || !window.indexedDB) {
    return;
  }
  const config = JSON.parse(block.textContent);
  let loaded = false;

  // Added at run time from our own origin: the Content-Security-Policy's script-src 'self' allows it.
  function loadFull() {
    if (loaded) {
      return;
    }
    loaded = true;
    config.load.forEach((url) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = false; // the queue first, then the page side that uses it
      document.head.appendChild(script);
    });
  }

  function csrfCookie() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // How many entries wait (a count, nothing read), and who is signed in, in one short transaction.
  function waiting() {
    return new Promise((resolve) => {
      const req = indexedDB.open("tpbis-offline", 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore("entries", { keyPath: "id" });
        req.result.createObjectStore("meta", { keyPath: "key" });
      };
      req.onerror = () => resolve(0);
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction(["entries", "meta"], config.user ? "readwrite" : "readonly");
        const count = tx.objectStore("entries").count();
        if (config.user) {
          const meta = tx.objectStore("meta");
          meta.put({ key: "user", value: config.user });
          meta.put({ key: "csrf", value: csrfCookie() });
          meta.put({ key: "keep", value: config.keep });
        }
        tx.oncomplete = () => {
          db.close();
          resolve(count.result);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          resolve(0);
        };
      };
    });
  }

  async function install() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    await navigator.serviceWorker.register(config.sw, { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      ready.active.postMessage({ type: "claim" }); // a page loaded while the worker was activating
    }
    if (!config.user || !config.keep.length || !navigator.onLine) {
      return;
    }
    // Ask for the pages this phone does not keep yet (after installing, after a logout emptied the cache);
    // a kept form opened online refreshes its own copy.
    const cache = await caches.open("tpbis-pages");
    const kept = await Promise.all(config.keep.map(async ([url]) => ((await cache.match(url)) ? null : url)));
    const missing = kept.filter(Boolean);
    if (missing.length) {
      ready.active.postMessage({ type: "keep-pages", urls: missing });
    }
  }

  if (config.form || document.querySelector("[data-offline-forms]") || !navigator.onLine) {
    loadFull();
  }
  window.addEventListener("offline", loadFull); // "Tidak ada sinyal" and the queue's list, from now on
  waiting().then((count) => {
    if (count) {
      loadFull(); // the list "Menunggu dikirim", sending it, the warning before logging out
    }
    install().catch(() => null);
  });
})();
