/* The console's service worker (served at /app/sw.js, scope /app/; docs/console/OFFLINE.md).
   - The shell (CSS, offline.js, scan.js): cached at install, served from the cache and
     refreshed in the background.
   - Pages under /app/ the signed-in user opened (GET, 200, HTML, not sign-in/sign-out, not the
     admin pages, not one-time links): network first, the cached copy without signal. They are
     kept in a cache named after the user ("tc-pages-<user id>", from ?u= in this script's URL);
     a worker for another user (or for nobody: a signed-out page) deletes every other user's
     cache when it starts, and offline.js deletes them at sign-out.
   - Never: POSTs, other origins, anything outside /app/. */
"use strict";
const USER = new URL(self.location).searchParams.get("u") || "";
const SHELL = "tc-shell-v1";
const PAGES = USER ? `tc-pages-${USER}` : "";
const STATIC = "/app/static/";
const SHELL_FILES = ["console.css", "offline.js", "scan.js"].map((f) => STATIC + f);
const NEVER = [/^\/app\/(login|logout|sw\.js|scan)\b/, /^\/app\/set-password\//, /^\/app\/admin\//];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if ((name.startsWith("tc-pages-") && name !== PAGES) || (name.startsWith("tc-shell-") && name !== SHELL)) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

async function fromShell(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then((r) => {
    if (r.ok) cache.put(request, r.clone());
    return r;
  });
  if (cached) {
    fresh.catch(() => {});  // without signal the cached copy stands
    return cached;
  }
  return fresh;
}

async function page(request) {
  try {
    const response = await fetch(request);
    const type = response.headers.get("Content-Type") || "";
    if (PAGES && response.status === 200 && !response.redirected && type.startsWith("text/html")) {
      const cache = await caches.open(PAGES);
      await cache.put(request.url.split("#")[0], response.clone());
    }
    return response;
  } catch (e) {
    const cached = PAGES && await (await caches.open(PAGES)).match(request.url.split("#")[0]);
    if (cached) return cached;
    const waiting = PAGES && await (await caches.open(PAGES)).match(new URL("/app/waiting", self.location).href);
    return waiting || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate" && !NEVER.some((re) => re.test(url.pathname))) {
    event.respondWith(page(request));
  }
});
