/* SIM TPBIS service worker (rendered by tpbis.offline.views.service_worker; version {{ version }}).
 *
 * - precaches the app shell: the entry forms' CSS and scripts, and the offline page;
 * - keeps the manager's entry forms and library page (network first, cache when there is no signal);
 * - answers every other page that needs the connection with the offline page;
 * - sends the queued entries on Background Sync (offline-queue.js does the sending);
 * - forgets the cached personal pages when the person logs out.
 */
importScripts({% for url in workbox %}"{{ url }}", {% endfor %}"{{ queue_script }}");

const PAGES = "tpbis-pages";
const OFFLINE_URL = {{ offline_url|safe }};
const LOGOUT_URL = {{ logout_url|safe }};
// Pages kept for offline use: the entry forms (new and correction) and the manager's library page.
const KEPT_PAGE = /^\/(laporan\/(pelibatan|advokasi|publikasi|pengunjung|peningkatan)\/(baru|\d+\/ubah)\/|mitra\/\d+\/)$/;

self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute({{ precache|safe }});

// Logging out: the cached pages carry the person's library and records, so they go (before the POST leaves).
// An entry form posted while the signal drops: what never reached the server goes into the queue.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method === "POST" && url.pathname === LOGOUT_URL) {
    event.respondWith(caches.delete(PAGES).then(() => fetch(event.request)));
  } else if (event.request.method === "POST" && event.request.mode === "navigate" && KEPT_PAGE.test(url.pathname) && url.pathname.startsWith("/laporan/")) {
    const copy = event.request.clone();
    event.respondWith(
      fetch(event.request).catch(async () => {
        const entry = await tpbisQueue.entryFromPost(await copy.formData(), url);
        await tpbisQueue.put(entry);
        if (self.registration.sync) {
          await self.registration.sync.register(tpbisQueue.SYNC_TAG).catch(() => null);
        }
        // Back to the form (the kept copy without signal), which says the entry (or draft) waits on the phone.
        return Response.redirect(url.pathname + url.search + (entry.submit ? "#antrean-tersimpan" : "#draf-tersimpan"), 303);
      })
    );
  }
});

// One cache entry per form and library: ?bulan= and other hints in the link do not make another copy.
const oneCopyPerForm = {
  cacheKeyWillBeUsed: async ({ request }) => {
    const url = new URL(request.url);
    const library = url.searchParams.get("perpustakaan");
    return url.origin + url.pathname + (library ? "?perpustakaan=" + library : "");
  },
  // Only a real page is kept: not a login page after a redirect, not an error.
  cacheWillUpdate: async ({ response }) => (response && response.status === 200 && !response.redirected ? response : null),
};

workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === location.origin && KEPT_PAGE.test(url.pathname),
  new workbox.strategies.NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 6, plugins: [oneCopyPerForm] })
);

// Every other page goes to the network; without it, the offline page says what still works.
workbox.routing.setDefaultHandler(new workbox.strategies.NetworkOnly());
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    return (await workbox.precaching.matchPrecache(OFFLINE_URL)) || Response.error();
  }
  return Response.error();
});

// The page asks for its entry forms to be kept (once after login, when online).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "claim") {
    // A page that loaded while this worker was activating: take it too, so it works offline at once.
    event.waitUntil(self.clients.claim());
  }
  if (event.data && event.data.type === "keep-pages") {
    event.waitUntil(
      caches.open(PAGES).then((cache) =>
        Promise.all(
          event.data.urls.map((url) =>
            fetch(url, { credentials: "same-origin" }).then((response) =>
              response.ok && !response.redirected ? cache.put(url, response) : null
            ).catch(() => null)
          )
        )
      )
    );
  }
});

// Background Sync: the browser wakes us when the connection is back, even with the app closed.
self.addEventListener("sync", (event) => {
  if (event.tag === tpbisQueue.SYNC_TAG) {
    event.waitUntil(tpbisQueue.sendAll());
  }
});
