/* Scan to fill (docs/console/OFFLINE.md): a "Scan" button beside every input[data-scan="lot"|
   "sscc"]. With BarcodeDetector, a live camera view; without it, a photo posted to /app/scan and
   decoded on the server (zxing-cpp). parseScanned mirrors tracechain.gs1.scanned.parse_scanned
   (the same table of cases tests both: tests/unit/scan_cases.json); a compressed Digital Link is
   decompressed on the server only (the text is posted to /app/scan). */
(() => {
  "use strict";
  const GS = "\u001d";
  const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;
  const MAX_LOT = 20, MAX_TEXT = 1000;
  // digits of an AI by its first two (dl_compression.TABLE_P)
  const P = { "00": 2, "01": 2, "02": 2, "10": 2, "11": 2, "12": 2, "13": 2, "15": 2, "16": 2, "17": 2,
    "20": 2, "21": 2, "22": 2, "23": 3, "24": 3, "25": 3, "30": 2, "31": 4, "32": 4, "33": 4, "34": 4,
    "35": 4, "36": 4, "37": 2, "39": 4, "40": 3, "41": 3, "42": 3, "70": 4, "71": 3, "72": 4, "80": 4,
    "81": 4, "82": 4, "90": 2, "91": 2, "92": 2, "93": 2, "94": 2, "95": 2, "96": 2, "97": 2, "98": 2, "99": 2 };
  // predefined value lengths by the AI's first two digits (GS1 General Specifications 7.8.5)
  const FIXED = { "00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "11": 6, "12": 6, "13": 6, "14": 6,
    "15": 6, "16": 6, "17": 6, "18": 6, "19": 6, "20": 2, "31": 6, "32": 6, "33": 6, "34": 6, "35": 6,
    "36": 6, "41": 13 };
  const NAMES = { "01": "01", gtin: "01", "10": "10", lot: "10", "00": "00", sscc: "00" };
  const COMPRESSED = /^[A-Za-z0-9_-]{10,}$/;
  const DIGITS = /^\d+$/;

  class Refused extends Error { constructor(reason, detail = "") { super(reason); this.reason = reason; this.detail = detail; } }
  const checkDigit = (body) => {
    let total = 0;
    [...body].reverse().forEach((c, i) => { total += Number(c) * (i % 2 === 0 ? 3 : 1); });
    return (10 - (total % 10)) % 10;
  };
  const validCheck = (key) => DIGITS.test(key) && key.length >= 2 && checkDigit(key.slice(0, -1)) === Number(key.slice(-1));

  function linkAis(url) {
    let u;
    try { u = new URL(url); } catch (e) { throw new Refused("not_gs1"); }
    const segs = u.pathname.split("/").filter(Boolean);
    const i = segs.findIndex((s) => NAMES[s] === "01" || NAMES[s] === "00");
    if (i >= 0) {
      const ais = {};
      for (let j = i; j + 1 < segs.length; j += 2) {
        const code = NAMES[segs[j]] || segs[j];
        let value;
        try { value = decodeURIComponent(segs[j + 1]); } catch (e) { value = segs[j + 1]; }
        if (!(code in ais)) ais[code] = value;
      }
      return ais;
    }
    if (segs.length && COMPRESSED.test(segs[segs.length - 1])) throw new Refused("server_only");
    throw new Refused("not_gs1");
  }
  function bracketedAis(body) {
    const re = /\((\d{2,4})\)([^()]*)/g, ais = {};
    let m, rebuilt = "";
    while ((m = re.exec(body))) { rebuilt += m[0]; if (!(m[1] in ais)) ais[m[1]] = m[2]; }
    if (!rebuilt || rebuilt !== body) throw new Refused("not_gs1");
    return ais;
  }
  function rawAis(body) {
    const ais = {};
    let pos = 0;
    while (pos < body.length) {
      const head = body.slice(pos, pos + 2), size = P[head];
      if (!size) throw new Refused("not_gs1");
      const ai = body.slice(pos, pos + size);
      pos += size;
      let value;
      if (FIXED[head]) {
        value = body.slice(pos, pos + FIXED[head]); pos += FIXED[head];
        if (body[pos] === GS) pos++;
      } else {
        let end = body.indexOf(GS, pos);
        if (end < 0) end = body.length;
        value = body.slice(pos, end); pos = end + 1;
      }
      if (!DIGITS.test(ai)) throw new Refused("not_gs1");
      if (!(ai in ais)) ais[ai] = value;
    }
    return ais;
  }
  function fromAis(ais, text) {
    if ("00" in ais) {
      const sscc = ais["00"];
      if (!DIGITS.test(sscc) || sscc.length !== 18) throw new Refused("bad_sscc", sscc);
      if (!validCheck(sscc)) throw new Refused("bad_sscc", String(checkDigit(sscc.slice(0, -1))));
      return { kind: "sscc", gtin: null, lot: null, sscc, text };
    }
    if ("01" in ais) {
      const g = ais["01"];
      if (!DIGITS.test(g) || ![8, 12, 13, 14].includes(g.length) || !validCheck(g.padStart(14, "0"))) throw new Refused("bad_gtin", g);
      const gtin = g.padStart(14, "0"), lot = ais["10"];
      if (lot === undefined) throw new Refused("product_only", gtin);
      if (!lot || lot.length > MAX_LOT || !CSET82.test(lot)) throw new Refused("bad_lot", lot);
      return { kind: "lot", gtin, lot, sscc: null, text };
    }
    throw new Refused("not_gs1");
  }
  /* {kind, gtin, lot, sscc, text}, or {error: reason, detail}. */
  function parseScanned(input) {
    const raw = input.length <= MAX_TEXT ? input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "") : "";
    try {
      if (!raw) throw new Refused("not_gs1");
      if (/^https?:\/\//i.test(raw)) return fromAis(linkAis(raw), raw);
      const body = raw.replace(/^\][A-Za-z][0-9A-Za-z]/, "");
      if (body.startsWith("(")) return fromAis(bracketedAis(body), raw);
      if (body !== raw || body.includes(GS)) return fromAis(rawAis(body.replace(/^\u001d+/, "")), raw);
      if (DIGITS.test(raw) && raw.length === 18) return fromAis({ "00": raw }, raw);
      if (DIGITS.test(raw) && [8, 12, 13, 14].includes(raw.length)) throw new Refused("product_only", raw);
      if (raw.length <= MAX_LOT && CSET82.test(raw)) return { kind: "lot", gtin: null, lot: raw, sscc: null, text: raw };
      throw new Refused("not_gs1");
    } catch (e) {
      if (e instanceof Refused) return { error: e.reason, detail: e.detail };
      throw e;
    }
  }
  window.tcScan = { parseScanned };

  /* --- the button, the camera, the photo ---------------------------------------------------- */
  const cfg = document.getElementById("tc-offline");
  if (!cfg) return;
  const D = cfg.dataset;
  const reasonText = (reason, detail) => (D["tR" + reason.replace(/(^|_)(\w)/g, (_m, _u, c) => c.toUpperCase())] || D.tRNotGs1 || "").replace("{n}", detail || "");
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function say(input, text) {
    let p = input.parentElement.querySelector(".scan-message");
    if (!p) { p = document.createElement("p"); p.className = "scan-message"; p.setAttribute("role", "status"); input.parentElement.append(p); }
    p.textContent = text;
  }
  function fill(input, result) {
    if (result.error) return say(input, reasonText(result.error, result.detail));
    const want = input.dataset.scan, value = want === "sscc" ? result.sscc : result.lot;
    if (!value) return say(input, reasonText(want === "sscc" ? "not_sscc" : "not_lot"));
    input.value = value;
    const gtin = input.form && input.form.elements.namedItem("gtin");
    if (result.gtin && gtin && "value" in gtin) gtin.value = result.gtin;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    say(input, "");
  }
  async function askServer(input, body) {
    body.append("csrf", csrf());
    say(input, D.tReading || "");
    try {
      const r = await fetch(D.scanUrl, { method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrf() } });
      const data = await r.json().catch(() => ({}));
      if (r.ok) fill(input, data); else say(input, data.message || reasonText("not_gs1"));
    } catch (e) { say(input, D.tScanOffline || ""); }
  }
  function decoded(input, text) {
    const result = parseScanned(text);
    if (result.error === "server_only") {
      const body = new FormData(); body.append("text", text); return askServer(input, body);
    }
    fill(input, result);
  }

  async function camera(input) {
    const formats = (await BarcodeDetector.getSupportedFormats())
      .filter((f) => ["qr_code", "data_matrix", "code_128", "ean_13"].includes(f));
    const detector = new BarcodeDetector({ formats });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    const box = document.createElement("div"); box.className = "scan-view";
    const video = document.createElement("video"); video.muted = true; video.playsInline = true; video.srcObject = stream;
    const close = document.createElement("button"); close.type = "button"; close.textContent = D.tClose || "×";
    box.append(video, close); document.body.append(box);
    let done = false;
    const stop = () => { done = true; stream.getTracks().forEach((tr) => tr.stop()); box.remove(); };
    close.addEventListener("click", stop);
    await video.play();
    while (!done) {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) { stop(); return decoded(input, codes[0].rawValue); }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  function photo(input) {
    const file = document.createElement("input");
    file.type = "file"; file.accept = "image/*"; file.setAttribute("capture", "environment"); file.hidden = true;
    file.addEventListener("change", () => {
      if (!file.files.length) return;
      const body = new FormData(); body.append("photo", file.files[0]); askServer(input, body);
      file.remove();
    });
    document.body.append(file); file.click();
  }
  for (const input of document.querySelectorAll("input[data-scan]")) {
    const button = document.createElement("button");
    button.type = "button"; button.className = "scan"; button.textContent = D.tScan || "Scan";
    button.dataset.testid = `scan-${input.name}`;
    button.addEventListener("click", () => {
      const live = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
      (live ? camera(input).catch(() => photo(input)) : Promise.resolve(photo(input)));
    });
    input.insertAdjacentElement("afterend", button);
  }
})();
