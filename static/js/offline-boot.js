/* The installable app's small part, on every page (SIM TPBIS, issue 15).
 *
 * Registers the service worker, asks it to keep the manager's entry forms (and, from the library page, the
 * forms of its drafts and returned records), remembers on the phone who is
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

  // The library page links to its drafts and returned records, each with the record's last change: read
  // from the page ([path, stamp]), no request of its own.
  const listing = document.querySelector("[data-keep-library]");
  const listed = listing
    ? Array.from(listing.querySelectorAll("a[data-keep]"), (a) => [new URL(a.href).pathname, a.dataset.keep])
    : [];
  let listedBefore = null; // {path: stamp} this library page listed last time

  function csrfCookie() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // How many entries wait (a count, nothing read), and who is signed in, in one short transaction; on a
  // library page also what it listed last time, replaced by what it lists now.
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
          if (listing && config.keep.length) {
            const key = "edits:" + listing.dataset.keepLibrary;
            const stored = meta.get(key);
            stored.onsuccess = () => {
              const before = stored.result && stored.result.value;
              listedBefore = before && before.user === config.user ? before.paths : {};
              meta.put({ key: key, value: { user: config.user, paths: Object.fromEntries(listed) } });
            };
          }
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
    if (listedBefore) {
      missing.push(...(await listedToKeep(cache)));
    }
    if (missing.length) {
      ready.active.postMessage({ type: "keep-pages", urls: missing });
    }
  }

  // A form this page listed before and no longer does (a draft sent, a record corrected or withdrawn) leaves
  // the phone; a listed one not kept, or kept from before its record last changed, is asked for.
  async function listedToKeep(cache) {
    const now = new Map(listed);
    await Promise.all(Object.keys(listedBefore).filter((path) => !now.has(path)).map((path) => cache.delete(path)));
    const wanted = [];
    for (const [path, stamp] of listed) {
      if (listedBefore[path] !== stamp || !(await cache.match(path))) {
        wanted.push(path);
      }
    }
    return wanted;
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
