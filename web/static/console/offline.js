/* The offline queue (docs/console/OFFLINE.md). A form marked data-offline is sent with fetch;
   without signal (or when the POST fails on the network / times out) its fields are kept in
   IndexedDB with their idempotency key and the device time, and sent, in order, when the
   signal returns (the "online" event, each page load, "Send now"). An item leaves the queue only
   on 200/201; 400/409 keep it as "needs attention" with the server's message; 401 stops and
   asks to sign in. One sender at a time across tabs (Web Locks; else a lease in IndexedDB).
   Texts come from the page (#tc-offline data-t-*), so the catalogue stays the one place. */
(() => {
  "use strict";
  const cfg = document.getElementById("tc-offline");
  if (!cfg) return;
  const D = cfg.dataset;
  const USER = D.user || "";
  const DB_NAME = "tracechain-offline", STORE = "queue", LOCK = "tracechain-offline-sync";
  const TIMEOUT_MS = 20000, LEASE_MS = 30000, USED_MAX = 500;
  const t = (name, n) => (D["t" + name] || "").replace("{n}", n === undefined ? "" : n);
  // the reader's time zone, for the pages that write instants in it (domain/viewer_time.py)
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes(`tc_tz=${zone}`)) {
      document.cookie = `tc_tz=${zone}; path=/app; max-age=31536000; SameSite=Lax`;
    }
  } catch (e) { /* no Intl: Vietnam's zone */ }

  /* --- keys and times ------------------------------------------------------------------ */
  const uuid = () => {
    if (crypto.randomUUID) return crypto.randomUUID();  // secure contexts only
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const pad = (n) => String(n).padStart(2, "0");
  /* The device's time with its offset, e.g. 2026-12-06T15:04:05+07:00. */
  const deviceTime = (d = new Date()) => {
    const off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-", a = Math.abs(off);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
      `${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(a / 60 | 0)}:${pad(a % 60)}`;
  };
  const localInput = (d = new Date()) =>
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const usedKeys = () => { try { return JSON.parse(localStorage.getItem("tc-used-keys") || "[]"); } catch (e) { return []; } };
  const markUsed = (key) => {
    const keys = usedKeys().filter((k) => k !== key); keys.push(key);
    try { localStorage.setItem("tc-used-keys", JSON.stringify(keys.slice(-USED_MAX))); } catch (e) { /* full */ }
  };
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /* --- IndexedDB ------------------------------------------------------------------------ */
  let dbPromise = null;
  const db = () => dbPromise || (dbPromise = new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "key" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  }));
  const tx = async (mode, work) => {
    const d = await db();
    return new Promise((resolve, reject) => {
      const x = d.transaction(STORE, mode), s = x.objectStore(STORE);
      let out;
      Promise.resolve(work(s, (v) => { out = v; })).catch(reject);
      x.oncomplete = () => resolve(out);
      x.onerror = x.onabort = () => reject(x.error);
    });
  };
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const all = () => tx("readonly", (s, set) => req(s.getAll()).then(set))
    .then((items) => (items || []).sort((a, b) => a.created - b.created || a.seq - b.seq));
  const put = (item) => tx("readwrite", (s) => { s.put(item); });
  const drop = (key) => tx("readwrite", (s) => { s.delete(key); });
  const get = (key) => tx("readonly", (s, set) => req(s.get(key)).then(set));

  /* Other tabs of the console redraw their badge and list when this one changes the queue. */
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("tracechain-offline") : null;
  const changed = () => { if (channel) channel.postMessage("changed"); };

  /* --- notices ---------------------------------------------------------------------------- */
  const notice = (text, form, extra) => {
    let box = document.getElementById("tc-offline-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "tc-offline-notice"; box.className = "notice offline-notice";
      box.setAttribute("role", "status"); box.dataset.testid = "offline-notice";
      const main = document.querySelector("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
    if (extra) box.append(" ", extra);
    return box;
  };
  const link = (href, text) => { const a = document.createElement("a"); a.href = href; a.textContent = text; return a; };

  async function refreshBadge() {
    const items = USER ? (await all()).filter((i) => i.user === USER) : [];
    for (const badge of document.querySelectorAll("[data-offline-badge]")) {
      badge.hidden = items.length === 0;
      badge.querySelector("b").textContent = String(items.length);
      badge.classList.toggle("attention", items.some((i) => i.status === "attention"));
    }
    for (const b of document.querySelectorAll("[data-offline-send]")) b.hidden = !items.some((i) => i.status === "waiting");
    if (document.getElementById("tc-waiting")) await renderWaiting();
  }

  /* --- queueing a form --------------------------------------------------------------------- */
  const fieldsOf = (form, submitter) => {
    const data = new FormData(form, submitter || undefined), out = [];
    for (const [name, value] of data) if (typeof value === "string") out.push([name, value]);
    return out;
  };
  const summaryOf = (form, fields) => {
    const get = (n) => (fields.find(([k]) => k === n) || [])[1] || "";
    const title = form.dataset.offlineTitle || (document.querySelector("main h1") || {}).textContent || document.title;
    const parts = [get("lot") || get("sscc"), [get("quantity"), get("unit")].filter(Boolean).join(" ")].filter(Boolean);
    return { title: title.trim(), detail: parts.join(" · ") };
  };
  async function keyIsUsed(key) {
    return !key || usedKeys().includes(key) || !!(await get(key));
  }
  function renewKey(form) {
    const input = form.querySelector('input[name="idempotency_key"]');
    if (input) input.value = uuid();
  }
  // A generated lot code or SSCC left as the server made it was just used by the record kept
  // on the phone: the next record filled offline gets a fresh one (the server checks it too).
  const LOT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // as form_choices.LOT_ALPHABET
  function randomOf(alphabet, n) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  }
  function gs1CheckDigit(body) {
    let sum = 0;
    for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 ? 1 : 3);
    return String((10 - (sum % 10)) % 10);
  }
  function renewCodes(form) {
    for (const input of form.querySelectorAll("input[data-generated]")) {
      const v = input.defaultValue;
      if (input.dataset.generated === "lot" && /-[A-Z0-9]{4}$/.test(v)) {
        input.value = input.defaultValue = v.slice(0, -4) + randomOf(LOT_ALPHABET, 4);
      } else if (input.dataset.generated === "sscc" && /^\d{18}$/.test(v)) {
        // the extension digit and the longest company prefix (11) stay; the serial is new
        const body = v.slice(0, 12) + randomOf("0123456789", 5);
        input.value = input.defaultValue = body + gs1CheckDigit(body);
      }
    }
  }
  let seq = 0;
  async function queue(form, submitter) {
    const keyInput = form.querySelector('input[name="idempotency_key"]');
    if (keyInput && await keyIsUsed(keyInput.value)) keyInput.value = uuid();
    const now = new Date();
    const dt = form.querySelector('input[name="device_time"]');
    if (dt && !dt.value) dt.value = deviceTime(now);
    // the event's time, left at its "now" default: the moment it was filled, not when sent
    for (const input of form.querySelectorAll("input[data-default-now]")) {
      if (input.value === input.defaultValue) input.value = input.type === "datetime-local" ? localInput(now) : deviceTime(now);
    }
    const fields = fieldsOf(form, submitter);
    const key = (keyInput && keyInput.value) || uuid();
    const replaces = form.dataset.offlineReplaces;
    await put({ key, user: USER, url: new URL(form.getAttribute("action") || location.href, location.href).href,
      page: location.href, fields, created: now.getTime(), seq: seq++, status: "waiting", message: "",
      lease: 0, ...summaryOf(form, fields) });
    if (replaces && replaces !== key) await drop(replaces);
    delete form.dataset.offlineReplaces;
    markUsed(key);
    form.reset(); renewKey(form); renewCodes(form);
    if (dt) dt.value = "";
    notice(t("Saved"), form);
    changed();
    await refreshBadge();
  }

  /* --- sending ----------------------------------------------------------------------------- */
  const post = async (url, fields) => {
    const body = new FormData(), token = csrf();
    for (const [k, v] of fields) body.append(k, k === "csrf" && token ? token : v);
    const abort = new AbortController(), timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      return await fetch(url, { method: "POST", body, credentials: "same-origin", signal: abort.signal,
        headers: { Accept: "application/json", "X-CSRF-Token": token } });
    } finally { clearTimeout(timer); }
  };
  const answer = async (response) => {
    try { return await response.json(); } catch (e) { return null; }
  };
  /* Still signed in? (A POST whose session ended meanwhile may be refused for its CSRF token
     before the form's view can answer 401.) */
  const sessionEnded = async () => {
    try {
      const r = await fetch(D.waitingUrl, { credentials: "same-origin", redirect: "manual", cache: "no-store" });
      return r.type === "opaqueredirect" || r.status === 401;
    } catch (e) { return false; }
  };
  const signedOut = (r) => r.status === 401 || (r.redirected && new URL(r.url).pathname.endsWith("/login"));

  async function submitLive(form, submitter) {
    const keyInput = form.querySelector('input[name="idempotency_key"]');
    if (keyInput && await keyIsUsed(keyInput.value)) keyInput.value = uuid();
    const fields = fieldsOf(form, submitter);
    let r;
    try {
      r = await post(new URL(form.getAttribute("action") || location.href, location.href).href, fields);
    } catch (e) { return queue(form, submitter); }  // network error or time-out
    if (signedOut(r)) { await queue(form, submitter); return askSignIn(); }
    const body = await answer(r);
    if ((r.status === 200 || r.status === 201) && body && body.ok) {
      if (keyInput) markUsed(keyInput.value);
      const replaces = form.dataset.offlineReplaces;
      if (replaces) await drop(replaces);
      if (body.redirect) location.assign(body.redirect);
      else { notice(body.message || ""); form.reset(); renewKey(form); }
      return;
    }
    if (r.status >= 500) return queue(form, submitter);  // the server is down: keep it
    // 400/409 (or anything else): let the server render the form with its messages
    HTMLFormElement.prototype.submit.call(form);
  }

  async function askSignIn() {
    const n = USER ? (await all()).filter((i) => i.user === USER).length : 0;
    notice(t("Signin", n), null, link(D.loginUrl, "→"));
  }

  let sending = false;
  async function sendOne(item) {
    let r;
    try { r = await post(item.url, item.fields); } catch (e) { return "stop"; }
    if (signedOut(r)) return "signin";
    if (r.status === 200 || r.status === 201) { markUsed(item.key); await drop(item.key); return "sent"; }
    if (r.status >= 500 || r.status === 429) return "stop";
    const body = await answer(r);
    if (!body && await sessionEnded()) return "signin";  // the console's "form has expired" page
    item.status = "attention";
    item.message = (body && body.message) || t("Refused");
    item.errors = (body && body.errors) || {};
    item.lease = 0;
    await put(item);
    return "attention";
  }
  /* Without Web Locks: an item is taken with a lease in one IndexedDB transaction (the database
     serialises read-write transactions, so two tabs cannot both take it). */
  const takeLease = (key) => tx("readwrite", (s, set) => req(s.get(key)).then((item) => {
    if (!item || item.status !== "waiting" || item.lease > Date.now()) return set(null);
    item.lease = Date.now() + LEASE_MS; s.put(item); set(item);
  }));
  async function sendAll(locked) {
    let sent = 0, outcome = "done";
    for (const queued of (await all()).filter((i) => i.user === USER && i.status === "waiting")) {
      const item = locked ? queued : await takeLease(queued.key);
      if (!item) continue;
      const result = await sendOne(item);
      if (result === "sent") sent++;
      else if (result === "stop" || result === "signin") {
        if (!locked) await tx("readwrite", (s) => req(s.get(item.key)).then((i) => { if (i) { i.lease = 0; s.put(i); } }));
        outcome = result; break;
      }
    }
    return { sent, outcome };
  }
  let lockRetries = 0, retry = null;
  async function sync() {
    if (!USER || sending || !navigator.onLine) return;
    sending = true;
    try {
      const run = () => sendAll(!!navigator.locks);
      const result = navigator.locks
        ? await navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? run() : null))
        : await run();
      // another tab (or the page just left, whose send the navigation cut short) holds the lock:
      // look again shortly, so what it did not send is not left waiting for the next page.
      // Once this page has been through the queue itself, a look still planned has nothing to do.
      clearTimeout(retry);
      retry = null;
      if (result === null && lockRetries++ < 10) retry = setTimeout(() => { retry = null; sync(); }, 1500);
      else if (result !== null) lockRetries = 0;
      if (result && result.outcome === "signin") await askSignIn();
      else if (result && result.sent) notice(t("Sent", result.sent));
    } finally {
      sending = false;
      changed();
      await refreshBadge();
    }
  }

  /* --- the waiting page -------------------------------------------------------------------- */
  async function renderWaiting() {
    const box = document.getElementById("tc-waiting");
    const items = await all(), mine = items.filter((i) => i.user === USER), others = items.length - mine.length;
    const list = document.createElement("ul");
    list.className = "cards waiting";
    for (const item of mine) {
      const li = document.createElement("li");
      li.dataset.testid = "waiting-item"; li.dataset.status = item.status;
      const head = document.createElement("strong"); head.textContent = item.title;
      const state = document.createElement("span");
      state.className = "state " + item.status;
      state.textContent = item.status === "attention" ? t("Attention") : t("Waiting");
      const detail = document.createElement("div");
      detail.textContent = [item.detail, `${t("SavedAt")} ${new Date(item.created).toLocaleString(D.lang)}`].filter(Boolean).join(" · ");
      li.append(head, " ", state, detail);
      if (item.status === "attention") {
        const msg = document.createElement("p"); msg.className = "error"; msg.textContent = item.message; li.append(msg);
      }
      const actions = document.createElement("div"); actions.className = "actions";
      const open = link(`${item.page.split("#")[0]}#tc-fix=${encodeURIComponent(item.key)}`, t("Open"));
      const discard = document.createElement("button");
      discard.type = "button"; discard.className = "danger"; discard.textContent = t("Discard");
      discard.addEventListener("click", async () => {
        if (confirm(t("ConfirmDiscard"))) { await drop(item.key); changed(); await refreshBadge(); }
      });
      actions.append(open, discard); li.append(actions); list.append(li);
    }
    const parts = [];
    if (!mine.length) { const p = document.createElement("p"); p.textContent = t("Empty"); parts.push(p); }
    parts.push(list);
    if (others) { const p = document.createElement("p"); p.className = "hint"; p.textContent = t("Other", others); parts.push(p); }
    box.replaceChildren(...parts);
  }

  /* --- "open to fix": the stored fields back into the form ----------------------------------- */
  async function refill() {
    const m = /#tc-fix=([^&]+)/.exec(location.hash);
    if (!m) return;
    const item = await get(decodeURIComponent(m[1]));
    const form = document.querySelector("form[data-offline]");
    if (!item || !form || item.user !== USER) return;
    for (const [name, value] of item.fields) {
      if (["csrf", "idempotency_key"].includes(name)) continue;
      const input = form.elements.namedItem(name);
      if (input && "value" in input && input.type !== "file") input.value = value;
    }
    renewKey(form);
    form.dataset.offlineReplaces = item.key;
    for (const [field, message] of Object.entries(item.errors || {})) {
      const input = form.elements.namedItem(field);
      if (input && input.insertAdjacentElement) {
        const p = document.createElement("p"); p.className = "error"; p.textContent = message;
        input.setAttribute("aria-invalid", "true"); input.insertAdjacentElement("afterend", p);
      }
    }
    notice(`${t("Fixing")} ${item.message || ""}`.trim());
  }

  /* --- the service worker: pages opened without signal; cleared at sign-out ------------------- */
  /* One worker for every user (its pages are kept per user, from the X-Console-User header);
     resolves once it is the active one (a registration left redundant by a failed install is
     tried again). */
  async function serviceWorker() {
    if (!("serviceWorker" in navigator)) return false;
    try {
      const script = new URL(D.sw, location.href).href;
      let reg = await navigator.serviceWorker.register(script, { scope: D.scope });
      if (USER && !navigator.serviceWorker.controller && window.caches
          && !/^\/app\/(admin\/|login|logout|set-password)/.test(location.pathname)) {
        // this page was not fetched through the worker: keep it too (for this user only)
        for (const name of await caches.keys()) {
          if (name.startsWith("tc-pages-") && name !== `tc-pages-${USER}`) await caches.delete(name);
        }
        const cache = await caches.open(`tc-pages-${USER}`);
        await cache.add(location.href.split("#")[0]).catch(() => {});
      }
      for (let i = 0; i < 120; i++) {  // up to 30 s
        if (reg.active && reg.active.scriptURL === script) return true;
        if (!reg.installing && !reg.waiting) reg = await navigator.serviceWorker.register(script, { scope: D.scope });
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    } catch (e) { return false; }  // no worker (plain http on a LAN address): the queue still works
  }
  async function forgetPages() {
    if (!window.caches) return;
    for (const name of await caches.keys()) if (name.startsWith("tc-pages-")) await caches.delete(name);
  }

  /* --- wiring ---------------------------------------------------------------------------- */
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("form[data-offline]")) {
      ev.preventDefault();
      const submitter = ev.submitter;
      (navigator.onLine ? submitLive(form, submitter) : queue(form, submitter)).catch((e) => {
        // no IndexedDB (a private window, a full disk): with signal, the plain form still works
        if (navigator.onLine) HTMLFormElement.prototype.submit.call(form); else notice(String(e));
      });
    } else if (/\/logout$/.test(new URL(form.action, location.href).pathname)) {
      ev.preventDefault();
      forgetPages().finally(() => HTMLFormElement.prototype.submit.call(form));
    }
  });
  document.addEventListener("click", (ev) => {
    if (ev.target instanceof Element && ev.target.closest("[data-offline-send]")) sync();
  });
  window.addEventListener("online", sync);
  if (channel) channel.onmessage = () => { refreshBadge(); };
  if (document.querySelector("[data-scan]")) {
    const s = document.createElement("script"); s.src = D.scanJs; s.defer = true; document.head.append(s);
  }
  if (!USER) forgetPages();
  window.tcOffline = { sync, all, refreshBadge, ready: serviceWorker(), retrying: () => retry !== null };
  refill().then(refreshBadge).then(sync);
})();
