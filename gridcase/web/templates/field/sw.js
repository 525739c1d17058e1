{% autoescape off %}/* 平安通's service worker (gridcase.web.views.field.service_worker), scope /field/.

- The shell (the page, its modules, styles, the vendored idb, the manifest, the icons) is
  precached at install in a cache named after a digest of those files: a deploy that changes
  one is a new worker with a new cache; the old caches are deleted when it activates.
- The shell is served from the cache first, so the terminal opens with no network; the page
  itself is refreshed in the background when the network is there (a new language, a new
  version of the page), and the next opening shows it.
- Nothing else is cached: API answers (people's cases) go to the network only, and what the
  terminal keeps offline it keeps itself, in IndexedDB. A POST, PUT or PATCH is never cached.
*/
const CACHE = {{ cache_name }};
const SHELL = {{ shell }};
const PAGE = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // cache: "reload": the files themselves, not what the browser's HTTP cache holds.
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("pingantong-") && n !== CACHE).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

function shellKey(request) {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === "navigate" && url.pathname.startsWith(PAGE)) return PAGE;
  return SHELL.includes(url.pathname) ? url.pathname : null;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // never cached, never answered from a cache
  const key = shellKey(request);
  if (key === null) return; // the API and everything else: the network, as without a worker
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(key, { ignoreVary: true, ignoreSearch: true });
    const fresh = fetch(key, { cache: "no-cache", credentials: "same-origin" })
      .then((response) => {
        // Only the page is refreshed in place; the other files change with the cache's name.
        if (key === PAGE && response.ok) cache.put(PAGE, response.clone());
        return response;
      });
    if (cached) {
      if (key === PAGE) event.waitUntil(fresh.catch(() => undefined));
      return cached;
    }
    return fresh;
  })());
});

// Background Sync (Chromium only): wake the open terminal to send its queue. The terminal
// also sends by itself (online event, start, periodic retry), so this is only a help.
self.addEventListener("sync", (event) => {
  if (event.tag !== "pingantong-send") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" })
      .then((clients) => clients.forEach((client) => client.postMessage({ type: "sync" }))),
  );
});
{% endautoescape %}
