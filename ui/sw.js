// The monitor's service worker: keeps the shell (this build's files) so the app opens offline.
// API calls are never cached: they always go to the network.
const CACHE = 'ct-monitor-__VERSION__'
const SHELL = [
  './',
  'app.js?v=__VERSION__',
  'app.css?v=__VERSION__',
  'manifest.webmanifest',
  'icon.svg',
]

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)))
  self.skipWaiting()
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return
  const scope = new URL(self.registration.scope)
  const rel = url.pathname.slice(scope.pathname.length)
  const isShell = event.request.mode === 'navigate' || SHELL.includes(rel + url.search)
  if (!isShell) return
  // Network first (a new deploy shows at once), the cached shell when offline.
  event.respondWith(
    fetch(event.request).catch(() =>
      caches
        .match(event.request.mode === 'navigate' ? './' : event.request, { ignoreSearch: false })
        .then((hit) => hit ?? caches.match(new URL('./', self.registration.scope).href)),
    ),
  )
})
