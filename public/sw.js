// The offline workshop's service worker: on the first visit it caches every file of the app, then
// serves them from the cache, so the playground keeps working with the network off.
// `cargo xtask dist` fills in the file list and a version that changes with their contents; a new
// version caches the new files and drops the old cache.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `pipeline-playground-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new URL(file, self.registration.scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith('pipeline-playground-') && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

// Same-origin GETs come from the cache first (a lesson link's query string does not matter: the
// page is the same file); anything else goes to the network untouched.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: true });
      return cached ?? fetch(request);
    }),
  );
});
