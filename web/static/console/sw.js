/* The console's service worker (served at /app/sw.js, scope /app/; docs/console/OFFLINE.md).
   - The shell (CSS, offline.js, scan.js): cached at install, served from the cache and
     refreshed in the background.
   - Pages under /app/ the signed-in user opened (GET, 200, HTML, not sign-in/sign-out, not the
     admin pages, not one-time links): network first, the cached copy without signal. They are
     kept in a cache named after the user the page was for ("tc-pages-<user id>", from the page's
     X-Console-User header); keeping a page for one user deletes every other user's cache, and
     offline.js deletes them all at sign-out and on any signed-out page.
   - Never: POSTs, other origins, anything outside /app/.
   One worker for every user: signing in or out does not install a new one (a worker installing
   while the member navigates held a navigation past 15 s in Chromium; docs/console/OFFLINE.md). */
"use strict";
const SHELL = "tc-shell-v2";
const PAGES_PREFIX = "tc-pages-";
const STATIC = "/app/static/";
const SHELL_FILES = ["console.css", "offline.js", "scan.js"].map((f) => STATIC + f);
const NEVER = [/^\/app\/(login|logout|sw\.js|scan)\b/, /^\/app\/set-password\//, /^\/app\/admin\//];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("tc-shell-") && name !== SHELL) {
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

async function keep(user, url, response) {
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES_PREFIX) && name !== PAGES_PREFIX + user) await caches.delete(name);
  }
  await (await caches.open(PAGES_PREFIX + user)).put(url, response);
}

async function kept(url) {
  // without signal: the pages of the one user whose cache is there (at most one, see keep)
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES_PREFIX));
  if (names.length !== 1) return undefined;
  const cache = await caches.open(names[0]);
  return (await cache.match(url)) || (await cache.match(new URL("/app/waiting", self.location).href));
}

async function page(event) {
  const url = event.request.url.split("#")[0];
  try {
    const response = await fetch(event.request);
    const user = response.headers.get("X-Console-User") || "";
    const type = response.headers.get("Content-Type") || "";
    if (/^[0-9]+$/.test(user) && response.status === 200 && !response.redirected && type.startsWith("text/html")) {
      // kept in the background: the page is answered at once
      event.waitUntil(keep(user, url, response.clone()).catch(() => {}));
    }
    return response;
  } catch (e) {
    return (await kept(url)) || Response.error();
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
    event.respondWith(page(event));
  }
});
