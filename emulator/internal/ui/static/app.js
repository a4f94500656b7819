// The pwemu inspector: reads the control API of the emulator that served this page
// and redraws itself every second. Plain JavaScript, no dependencies, no build step.
"use strict";

const base = location.pathname.replace(/\/ui(\/.*)?$/, ""); // "/_pwemu"
const $ = (id) => document.getElementById(id);

// A control token given once as ?token= is kept for this tab only and taken out of
// the address bar, so that it is neither bookmarked nor shown on screen.
(function keepToken() {
  const params = new URLSearchParams(location.search);
  if (!params.has("token")) return;
  sessionStorage.setItem("pwemu-token", params.get("token"));
  params.delete("token");
  const q = params.toString();
  history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
})();

class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, init = {}) {
  const headers = { Accept: "application/json, application/yaml" };
  const token = sessionStorage.getItem("pwemu-token");
  if (token) headers.Authorization = "Bearer " + token;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + path, { ...init, headers, credentials: "same-origin", cache: "no-store" });
  const type = res.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    let msg = (body && body.error) || String(body) || res.statusText;
    if (res.status === 401) msg = "this emulator needs its control token: open " + base + "/ui/?token=… once";
    throw new APIError(res.status, msg);
  }
  return body;
}

// el builds an element; strings become text nodes, never HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

// Emulator times come as RFC 3339; shown as "2026-01-01 01:00:00.250".
function fmtTime(s) {
  if (!s) return "";
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(s);
  return m ? m[1] + " " + m[2] + (m[3] && m[3] !== ".000" ? m[3] : "") : s;
}
function fmtClock(s) { return fmtTime(s).slice(11); }

function fmtNs(ns) {
  if (ns === undefined || ns === null) return "";
  if (ns < 1e3) return ns + " ns";
  if (ns < 1e6) return (ns / 1e3).toFixed(1) + " µs";
  if (ns < 1e9) return (ns / 1e6).toFixed(1) + " ms";
  if (ns < 60e9) return (ns / 1e9).toFixed(2) + " s";
  return (ns / 60e9).toFixed(1) + " min";
}

function fmtDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return s + "s";
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h ? h + "h" : "") + (m || h ? m + "m" : "") + (r ? r + "s" : "");
}

const num = (n) => (n ?? 0).toLocaleString("en-US");

function setStatus(text, bad) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("bad", !!bad);
}

// ---- overview: clock, ledger totals, API calls (the first view) ----

let clock = null;
let lastTotals = null;

async function refreshClock() {
  clock = await api("/clock");
  $("clock-now").textContent = fmtTime(clock.now);
  $("clock-mode").textContent = clock.mode;
  $("clock-speed").textContent = clock.speed ? "× " + clock.speed : "";
  const manual = clock.mode === "manual";
  $("advance").hidden = !manual;
  const next = $("advance-next");
  if (manual && clock.next_timer) {
    const wait = Date.parse(clock.next_timer) - Date.parse(clock.now);
    $("clock-next").textContent = "next timer at " + fmtTime(clock.next_timer) + " (in " + fmtDuration(wait) + ")";
    next.disabled = false;
  } else {
    $("clock-next").textContent = manual ? "no timer set" : "";
    next.disabled = true;
  }
}

async function refreshLedger() {
  const v = await api("/ledger?events=false");
  const t = v.totals;
  for (const k of ["generated", "delivered", "dropped", "filtered", "pending"]) $("total-" + k).textContent = num(t[k]);
  const balanced = t.generated === t.delivered + t.dropped + t.filtered + t.pending;
  $("invariant").textContent = (balanced ? "✓ " : "✗ ") + "generated = delivered + dropped + filtered + pending";
  $("invariant").className = balanced ? "ok" : "fail";
  const names = Object.keys(v.integrations || {}).sort();
  fill($("integrations").tBodies[0], names.map((n) => {
    const it = v.integrations[n];
    return el("tr", {}, el("td", {}, n || "(none)"), ...["generated", "delivered", "dropped", "filtered", "pending"]
      .map((k) => el("td", { class: "num" }, num(it[k]))));
  }));
  const sel = $("events-integration");
  if (sel.options.length - 1 !== names.length) {
    const cur = sel.value;
    sel.replaceChildren(el("option", { value: "" }, "any integration"), ...names.map((n) => el("option", { value: n }, n || "(none)")));
    sel.value = cur;
  }
  const changed = JSON.stringify(t) !== JSON.stringify(lastTotals);
  lastTotals = t;
  return changed;
}

function statusCode(resp) {
  return resp && typeof resp === "object" && "status_code" in resp ? resp.status_code : "";
}

async function refreshCalls() {
  const v = await api("/journal?methods=true&tail=8");
  $("calls-total").textContent = "(" + num(v.total) + ")";
  const methods = Object.entries(v.methods || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  fill($("calls-by-method").tBodies[0], methods.slice(0, 12).map(([m, n]) =>
    el("tr", {}, el("td", {}, m), el("td", { class: "num" }, num(n)))));
  fill($("calls-latest").tBodies[0], v.calls.slice().reverse().map((c) =>
    el("tr", {}, el("td", {}, fmtClock(c.time)), el("td", {}, c.method), el("td", {}, c.http_status || "—"),
      el("td", {}, statusCode(c.response)))));
  const sel = $("journal-method");
  const names = methods.map(([m]) => m).sort();
  if (sel.options.length - 1 !== names.length) {
    const cur = sel.value;
    sel.replaceChildren(el("option", { value: "" }, "any method"), ...names.map((m) => el("option", { value: m }, m)));
    sel.value = cur;
  }
}

document.querySelectorAll("[data-advance]").forEach((b) => b.addEventListener("click", async () => {
  let by = b.dataset.advance;
  if (by === "next") {
    if (!clock || !clock.next_timer) return;
    by = Math.max(0, Date.parse(clock.next_timer) - Date.parse(clock.now)) + "ms";
  }
  document.querySelectorAll("[data-advance]").forEach((x) => (x.disabled = true));
  try {
    await api("/clock/advance", { method: "POST", body: JSON.stringify({ by }) });
  } catch (e) {
    setStatus("advance: " + e.message, true);
  } finally {
    document.querySelectorAll("[data-advance]").forEach((x) => (x.disabled = false));
    await tick(true);
  }
}));

// ---- tabs ----

let tab = "events";
document.querySelectorAll("[data-tab]").forEach((b) => b.addEventListener("click", () => {
  tab = b.dataset.tab;
  document.querySelectorAll("[data-tab]").forEach((x) => x.setAttribute("aria-selected", String(x === b)));
  document.querySelectorAll(".panel").forEach((p) => (p.hidden = p.id !== "tab-" + tab));
  refreshTab(true).catch(showError);
}));

// ---- events: searched and paged on the server ----

const events = { offset: 0, limit: 50, matched: 0, open: new Set() };

function eventQuery() {
  const p = new URLSearchParams({ limit: events.limit, offset: events.offset, count: "true" });
  for (const [k, id] of [["q", "events-q"], ["state", "events-state"], ["integration", "events-integration"]]) {
    const v = $(id).value.trim();
    if (v) p.set(k, v);
  }
  return "/ledger?" + p;
}

function attemptText(a) {
  if (a.error) return a.error;
  if (a.ack) return "ack " + a.ack;
  return a.status ? "HTTP " + a.status : "";
}

async function refreshEvents() {
  const v = await api(eventQuery());
  events.matched = v.matched ?? v.events.length;
  const rows = [];
  for (const r of v.events) {
    const last = r.attempts.length ? r.attempts[r.attempts.length - 1] : null;
    rows.push(el("tr", { class: "expandable", onclick: () => { events.open.has(r.id) ? events.open.delete(r.id) : events.open.add(r.id); refreshEvents().catch(showError); } },
      el("td", {}, r.id), el("td", {}, fmtTime(r.generated_at)), el("td", {}, r.event.event_name),
      el("td", {}, r.event.platform), el("td", {}, r.event.hwid || ""), el("td", {}, r.integration || "(none)"),
      el("td", { class: "state-" + r.state }, r.state + (r.reason ? " (" + r.reason + ")" : "")),
      el("td", {}, r.attempts.length + (last ? " · " + attemptText(last) : "")), el("td", {}, r.latency || "")));
    if (events.open.has(r.id)) {
      const attempts = el("table", { class: "compact" },
        el("thead", {}, el("tr", {}, ...["time", "transport", "batch", "request", "status / ack / error", "latency"].map((h) => el("th", {}, h)))),
        el("tbody", {}, r.attempts.map((a) => el("tr", {}, el("td", {}, fmtTime(a.at)), el("td", {}, a.transport),
          el("td", {}, a.batch), el("td", {}, a.request || ""), el("td", {}, attemptText(a)), el("td", {}, fmtNs(a.latency_ns))))));
      rows.push(el("tr", { class: "detail" }, el("td", { colspan: 9 },
        r.attempts.length ? attempts : el("p", { class: "muted" }, "no attempt yet"),
        el("pre", {}, JSON.stringify(r.event, null, 2)))));
    }
  }
  fill($("events").tBodies[0], rows);
  const from = v.events.length ? events.offset + 1 : 0;
  $("events-page").textContent = num(from) + "–" + num(events.offset + v.events.length) + " of " + num(events.matched);
  $("events-prev").disabled = events.offset === 0;
  $("events-next").disabled = !v.next_offset;
}

let searchTimer;
$("events-q").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { events.offset = 0; refreshEvents().catch(showError); }, 250);
});
for (const id of ["events-state", "events-integration"]) {
  $(id).addEventListener("change", () => { events.offset = 0; refreshEvents().catch(showError); });
}
$("events-filter").addEventListener("submit", (e) => e.preventDefault());
$("events-prev").addEventListener("click", () => { events.offset = Math.max(0, events.offset - events.limit); refreshEvents().catch(showError); });
$("events-next").addEventListener("click", () => { events.offset += events.limit; refreshEvents().catch(showError); });

// ---- timeline of requests ----

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function refreshTimeline() {
  const v = await api("/requests?limit=500");
  const reqs = v.requests;
  const drops = reqs.reduce((n, r) => n + (r.dropped || 0), 0);
  const retries = reqs.filter((r) => r.try > 1).length;
  $("timeline-summary").textContent = num(v.total) + " requests" + (v.total > reqs.length ? " (the latest " + reqs.length + " shown)" : "") +
    ", " + num(retries) + " retries, " + num(drops) + " events dropped";
  const names = [...new Set(reqs.map((r) => r.integration))].sort();
  const W = 1000, left = 140, right = 20, rowH = 34, top = 10;
  const H = top + Math.max(1, names.length) * rowH + 24;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "timeline of delivery requests" });
  if (reqs.length) {
    const t0 = Date.parse(reqs[0].at), t1 = Math.max(Date.parse(reqs[reqs.length - 1].at), t0 + 1000);
    const x = (t) => left + ((Date.parse(t) - t0) / (t1 - t0)) * (W - left - right);
    names.forEach((n, i) => {
      const y = top + i * rowH + rowH / 2;
      root.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: "axis" }), svg("text", { x: 4, y: y + 4 }, n || "(none)"));
    });
    for (const r of reqs) {
      const y = top + names.indexOf(r.integration) * rowH + rowH / 2, cx = x(r.at);
      const colour = getComputedStyle(document.documentElement).getPropertyValue("--ok");
      const cls = r.outcome;
      const title = svg("title", {}, `${fmtTime(r.at)} ${r.integration} batch ${r.batch} try ${r.try}: ${r.events} events, ${r.outcome}` +
        (r.status ? " HTTP " + r.status : "") + (r.error ? " " + r.error : "") + (r.dropped ? `, ${r.dropped} dropped` : ""));
      const mark = r.try > 1
        ? svg("circle", { cx, cy: y, r: 6, fill: "none", "stroke-width": 2.5, class: "mark " + cls })
        : svg("circle", { cx, cy: y, r: 5, class: "mark " + cls });
      mark.style.fill = r.try > 1 ? "none" : markColour(cls, colour);
      mark.style.stroke = markColour(cls, colour);
      mark.append(title);
      root.append(mark);
      if (r.dropped) root.append(svg("text", { x: cx - 4, y: y - 8, class: "drop", fill: "#c62828" }, "✕"));
    }
    root.append(svg("text", { x: left, y: H - 6 }, fmtTime(reqs[0].at)),
      svg("text", { x: W - right, y: H - 6, "text-anchor": "end" }, fmtTime(new Date(t1).toISOString())));
  } else {
    root.append(svg("text", { x: 10, y: 30 }, "no request sent yet"));
  }
  $("timeline").replaceChildren(root);
  fill($("requests").tBodies[0], reqs.slice(-100).reverse().map((r) => el("tr", {},
    el("td", {}, fmtTime(r.at)), el("td", {}, r.integration), el("td", {}, r.batch), el("td", {}, r.try),
    el("td", { class: "num" }, r.events), el("td", {}, el("span", { class: "dot " + r.outcome }), " " + r.outcome),
    el("td", {}, r.error || (r.status ? "HTTP " + r.status : "")), el("td", {}, fmtNs(r.latency_ns)),
    el("td", { class: r.dropped ? "fail" : "" }, r.dropped || ""))));
}

function markColour(outcome, ok) {
  return { success: ok || "#1a7f37", rejected: "#b35900", server_error: "#d9480f", nack: "#d9480f",
    timeout: "#7b2cbf", refused: "#c62828", error: "#c62828" }[outcome] || "#8a94a6";
}

// ---- journal: filtered and paged on the server, newest first ----

const journal = { page: 0, limit: 50, total: 0, open: new Set() };

async function refreshJournal() {
  const p = new URLSearchParams();
  if ($("journal-method").value) p.set("method", $("journal-method").value);
  if ($("journal-status").value) p.set("status", $("journal-status").value);
  if (journal.page === 0) {
    p.set("tail", journal.limit);
  } else {
    p.set("offset", Math.max(0, journal.total - journal.limit * (journal.page + 1)));
    p.set("limit", journal.limit);
  }
  const v = await api("/journal?" + p);
  journal.total = v.total;
  const rows = [];
  v.calls.slice().reverse().forEach((c) => {
    const key = c.time + c.method + c.path + JSON.stringify(c.request).length;
    rows.push(el("tr", { class: "expandable", onclick: () => { journal.open.has(key) ? journal.open.delete(key) : journal.open.add(key); refreshJournal().catch(showError); } },
      el("td", {}, fmtTime(c.time)), el("td", {}, c.method), el("td", {}, c.path),
      el("td", { class: c.http_status >= 400 || !c.http_status ? "fail" : "" }, c.http_status || "no answer"),
      el("td", {}, statusCode(c.response)), el("td", {}, fmtNs(c.latency_ns))));
    if (journal.open.has(key)) {
      rows.push(el("tr", { class: "detail" }, el("td", { colspan: 6 },
        el("h3", {}, "request"), el("pre", {}, JSON.stringify(c.request, null, 2)),
        el("h3", {}, "answer"), el("pre", {}, JSON.stringify(c.response, null, 2)))));
    }
  });
  fill($("journal").tBodies[0], rows);
  const newest = journal.total - journal.page * journal.limit;
  $("journal-page").textContent = v.calls.length ? num(Math.max(1, newest - v.calls.length + 1)) + "–" + num(newest) + " of " + num(journal.total) : "none";
  $("journal-prev").disabled = journal.page === 0;
  $("journal-next").disabled = journal.limit * (journal.page + 1) >= journal.total;
}

for (const id of ["journal-method", "journal-status"]) {
  $(id).addEventListener("change", () => { journal.page = 0; refreshJournal().catch(showError); });
}
$("journal-filter").addEventListener("submit", (e) => e.preventDefault());
$("journal-prev").addEventListener("click", () => { journal.page = Math.max(0, journal.page - 1); refreshJournal().catch(showError); });
$("journal-next").addEventListener("click", () => { journal.page++; refreshJournal().catch(showError); });

// ---- scenario and expectations ----

async function refreshScenario() {
  const [yaml, report] = await Promise.all([api("/scenario"), api("/report")]);
  $("yaml").textContent = typeof yaml === "string" ? yaml : JSON.stringify(yaml, null, 2);
  $("scenario-name").textContent = report.scenario;
  $("verdict").textContent = (report.ok ? "PASS" : "FAIL") + " — as pwemu run would judge now: " +
    (report.failed ? report.failed + " of " + report.checks.length + " checks fail" : "all " + report.checks.length + " checks hold");
  $("verdict").className = report.ok ? "ok" : "fail";
  fill($("checks").tBodies[0], report.checks.map((c) => el("tr", {},
    el("td", { class: c.ok ? "ok" : "fail" }, c.ok ? "✓" : "✗"), el("td", {}, c.name), el("td", {}, c.want), el("td", {}, c.got))));
  const causes = (report.outcome && report.outcome.causes) || [];
  fill($("causes"), causes.map((c) => el("li", {}, (c.integration || "(none)") + ": " + c.attempts + " attempts: " +
    c.causes.map((g) => g.count + "× " + g.what + " (" + fmtClock(g.first) + "–" + fmtClock(g.last) + ")").join(", "))));
}

// ---- the loop ----

async function refreshTab(force) {
  if (tab === "events") return refreshEvents();
  if (tab === "timeline") return refreshTimeline();
  if (tab === "journal") return refreshJournal();
  if (tab === "scenario") return refreshScenario();
}

function showError(e) { setStatus("error: " + e.message, true); }

let ticking = false, ticks = 0;
async function tick(force) {
  if (ticking && !force) return;
  ticking = true;
  try {
    const [, changed] = await Promise.all([refreshClock(), refreshLedger(), refreshCalls()]);
    // The active tab follows the ledger; the scenario tab every few seconds.
    if (force || changed || ticks % 5 === 0) await refreshTab(force);
    if (!$("scenario-name").textContent) api("/report").then((r) => ($("scenario-name").textContent = r.scenario)).catch(() => {});
    setStatus("live · " + new Date().toLocaleTimeString());
  } catch (e) {
    showError(e);
  } finally {
    ticking = false;
    ticks++;
  }
}

$("origin").textContent = location.origin;
tick(true);
setInterval(tick, 1000);
