"use strict";
(() => {
  let csrfToken = "";  // the session's (a cookie from /app/login); nothing in the browser's storage
  const TOP = 8;
  const $ = (id) => document.getElementById(id);
  // The page's words, in its language (<html lang>), from the catalogue: the template puts
  // them in <body data-messages>, with the states' and prefectures' names in data-names.
  const MESSAGES = JSON.parse(document.body.dataset.messages || "{}");
  const NAMES = JSON.parse(document.body.dataset.names || "{}");
  const LANG = document.documentElement.lang || "en";
  const say = (key, params = {}) => (MESSAGES[key] || key).replace(
    /%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
  const number = new Intl.NumberFormat(LANG === "ja" ? "ja-JP" : "en-GB");
  let sectors = [];

  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;  // text only: names come from users
    return node;
  };

  function showSignin(message) {
    $("demand").hidden = true; $("signout").hidden = true; $("signin-view").hidden = false;
    $("signin-error").hidden = !message; $("signin-error").textContent = message || "";
  }

  async function call(path, withKey = true) {
    const headers = { Accept: "application/json" };
    const response = await fetch(path, { headers, cache: "no-store", credentials: "same-origin" });
    if (response.status === 401 && withKey) { showSignin(say("session_ended")); throw new Error("401"); }
    if (!response.ok) {
      let detail = `${response.status}`;
      try { const body = await response.json(); detail = typeof body.detail === "string" ? body.detail : say("invalid_field", { field: body.field }); } catch (_) { /* not JSON */ }
      throw new Error(detail);
    }
    return response;
  }

  function query(sector) {
    const params = new URLSearchParams();
    if (sector) params.set("sector", sector);
    for (const name of ["state", "prefecture"]) {
      const value = $(`filter-${name}`).value;
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  function bars(title, rows, kind) {
    const box = el("div", { "data-chart": kind });
    box.append(el("h3", {}, title));
    if (!rows.length) { box.append(el("p", { class: "muted" }, say("nothing_asked"))); return box; }
    const top = Math.max(...rows.map((r) => r.value), 1);
    for (const r of rows) {
      const row = el("div", { class: "row", "data-name": r.name, "data-value": String(r.value) });
      row.append(el("span", { class: "name", title: r.name }, r.name));
      const track = el("div", { class: "track" });
      const fill = el("div", { class: r.demandOnly ? "fill demand" : "fill" });
      fill.style.width = `${(100 * r.value) / top}%`;
      track.append(fill);
      row.append(track, el("span", { class: "figure" }, r.text));
      box.append(row);
    }
    return box;
  }

  function skillRows(report) {
    const demandOnly = report.skills.every((s) => s.gap === null);
    const sorted = [...report.skills].sort((a, b) => demandOnly ? b.openings - a.openings : b.gap - a.gap || b.openings - a.openings);
    return sorted.slice(0, TOP).filter((s) => demandOnly || s.gap > 0).map((s) => ({
      name: s.skill, value: demandOnly ? s.openings : s.gap, demandOnly,
      text: demandOnly ? say("openings", { num: number.format(s.openings) })
        : say("short_skill", { gap: number.format(s.gap), openings: number.format(s.openings),
                               held: number.format(s.candidates) }),
    }));
  }

  function occupationRows(report) {
    const demandOnly = report.occupations.every((o) => o.shortfall === null);
    return report.occupations.slice(0, TOP).filter((o) => demandOnly || o.shortfall > 0).map((o) => ({
      name: o.occupation, value: demandOnly ? o.openings : o.shortfall, demandOnly,
      text: demandOnly ? say("openings", { num: number.format(o.openings) })
        : say("short_occupation", { gap: number.format(o.shortfall),
                                    openings: number.format(o.openings),
                                    eligible: number.format(o.eligible_candidates) }),
    }));
  }

  function supplyNote(supply) {
    // The API says whose supply in English; the page in its own language.
    if (LANG === "en") return `Supply: ${supply}`;
    if (supply.startsWith("your")) return say("supply_institute");
    if (supply.startsWith("every")) return say("supply_officer");
    return say("supply_none");
  }

  async function load() {
    $("error").hidden = true;
    $("status").textContent = say("loading");
    try {
      const reports = await Promise.all(sectors.map(async (s) =>
        [s, await (await call(`/api/v1/reports/demand?${query(s.name)}`)).json()]));
      const grid = $("sectors");
      grid.replaceChildren();
      for (const [sector, report] of reports) {
        const card = el("section", { class: "card", "data-sector": sector.name });
        card.append(el("h2", {}, MESSAGES[`sector_${sector.name}`] || sector.label));
        card.append(bars(say("skills_short"), skillRows(report), "skills"));
        card.append(bars(say("occupations_short"), occupationRows(report), "occupations"));
        grid.append(card);
      }
      if (reports.length) $("supply-note").textContent = supplyNote(reports[0][1].supply);
      $("status").textContent = "";
    } catch (error) {
      $("status").textContent = "";
      if (error.message !== "401") { $("error").textContent = say("load_failed", { reason: error.message }); $("error").hidden = false; }
    }
  }

  async function start() {
    $("signin-view").hidden = true; $("demand").hidden = false; $("signout").hidden = false;
    if (!sectors.length) {
      const meta = await (await call("/api/v1/meta", false)).json();
      sectors = meta.sectors;
      const states = NAMES.states || {}, prefectures = NAMES.prefectures || {};
      for (const s of meta.states) {
        $("filter-state").append(el("option", { value: s.name }, states[s.name] || s.name));
      }
      for (const p of meta.prefectures) {
        $("filter-prefecture").append(el("option", { value: p }, prefectures[p] || p));
      }
    }
    await load();
  }

  $("signout").addEventListener("click", async () => {
    try {
      await fetch("/app/logout", { method: "POST", headers: { "X-CSRF-Token": csrfToken },
                                   credentials: "same-origin", redirect: "manual" });
    } catch (_) { /* signed out here in any case */ }
    csrfToken = "";
    showSignin(say("signed_out"));
  });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("download-csv").addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      const blob = await (await call(`/api/v1/reports/demand.csv?${query("")}`)).blob();
      const link = el("a", { href: URL.createObjectURL(blob), download: "demand.csv" });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      if (error.message !== "401") { $("error").textContent = say("csv_failed", { reason: error.message }); $("error").hidden = false; }
    }
  });
  fetch("/app/session", { headers: { Accept: "application/json" }, cache: "no-store",
                          credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) { showSignin(); return; }
      csrfToken = (await response.json()).csrf_token;
      start();
    })
    .catch(() => showSignin(say("unreachable")));
})();
