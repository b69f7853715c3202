"use strict";
(() => {
  const TOP = 15;
  const SVGNS = "http://www.w3.org/2000/svg";
  // The page's words, in its language (<html lang>), from the catalogue: the template puts
  // them in <body data-messages>, with the states' and prefectures' names in data-names.
  const MESSAGES = JSON.parse(document.body.dataset.messages || "{}");
  const NAMES = JSON.parse(document.body.dataset.names || "{}");
  const LANG = document.documentElement.lang || "en";
  const say = (key, params = {}) => (MESSAGES[key] || key).replace(
    /%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
  const EXITS = new Set(["rejected", "withdrawn"]);
  // People are counted in whole numbers; only the share of the goal keeps decimals.
  const LOCALE = LANG === "ja" ? "ja-JP" : "en-GB";
  const numberFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
  const percentFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
  const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

  const $ = (id) => document.getElementById(id);
  const state = { report: null, query: "", sectorLabels: {}, seq: 0, meta: null,
                  seen: { sector: new Set(), state: new Set(), prefecture: new Set() } };

  // ---------- formatting (no figures are derived here, only shown) ----------
  const fmt = (n) => numberFormat.format(Math.round(n));
  const fmtPercent = (n) => `${percentFormat.format(n)}%`;
  const fmtDate = (iso) => iso;        // ISO 8601 everywhere: 2026-11-29
  const fmtMonth = (key) => key;       // and 2026-11
  const stageLabel = (s) => MESSAGES[`stage_${s}`] || s.replace(/_/g, " ");
  const stateName = (name) => (NAMES.states || {})[name] || name;
  const prefectureName = (name) => (NAMES.prefectures || {})[name] || name;
  const sectorName = (name) => MESSAGES[`sector_${name}`] || state.sectorLabels[name] || name;

  // ---------- the session (a cookie set by /app/login; nothing kept in the browser's storage) ----------
  let csrfToken = "";

  function showSignin(message) {
    $("dashboard").hidden = true;
    $("signout").hidden = true;
    $("signin-view").hidden = false;
    $("signin-error").hidden = !message;
    $("signin-error").textContent = message || "";
    $("signin-link").focus();
  }

  function showDashboard() {
    $("signin-view").hidden = true;
    $("dashboard").hidden = false;
    $("signout").hidden = false;
  }

  async function endSession() {
    try {
      await fetch("/app/logout", { method: "POST", headers: { "X-CSRF-Token": csrfToken },
                                   credentials: "same-origin", redirect: "manual" });
    } catch (_) { /* signed out here in any case */ }
    csrfToken = "";
    signOut(say("signed_out"));
  }

  function signOut(message) {
    state.seq += 1;                // drop any answer still on its way
    state.report = null;
    clearFigures();
    $("filters").reset();
    state.query = "";
    $("error").hidden = true;
    showSignin(message);
  }

  // ---------- talking to the API ----------
  function describe(detail) {
    if (Array.isArray(detail)) {
      return detail.map((d) => (d.field ? `${d.field}: ` : "") + (d.msg || "")).join("; ");
    }
    return typeof detail === "string" ? detail : "";
  }

  async function problem(response) {
    let detail = "";
    try { detail = describe((await response.json()).detail); } catch (_) { /* not JSON */ }
    return detail || `${response.status} ${response.statusText}`.trim();
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function call(path, withKey) {
    const headers = { Accept: "application/json" };
    let response;
    try {
      response = await fetch(path, { headers, cache: "no-store", credentials: "same-origin" });
    } catch (_) {
      throw new ApiError(0, say("unreachable"));
    }
    if (!response.ok) throw new ApiError(response.status, await problem(response));
    return response;
  }

  function showError(error) {
    if (error.status === 401) {
      signOut(say("session_ended"));
      return;
    }
    const sentence = /[.!?。]$/.test(error.message) ? error.message
      : `${error.message}${LANG === "ja" ? "。" : "."}`;
    const text = error.status ? say("load_failed", { status: error.status, reason: sentence })
      : sentence;
    const stale = state.report ? say("stale") : "";
    $("error").textContent = stale ? `${text} ${stale}` : text;
    $("error").hidden = false;
  }

  function readFilters() {
    for (const [id, name] of [["filter-from", "field_from"], ["filter-to", "field_to"]]) {
      const value = $(id).value.trim();
      if (value && !ISO_DATE.test(value)) {
        throw new ApiError(422, say("bad_date", { field: say(name) }));
      }
    }
    const params = new URLSearchParams();
    for (const [name, id] of [["sector", "filter-sector"], ["state", "filter-state"],
                              ["prefecture", "filter-prefecture"], ["from", "filter-from"],
                              ["to", "filter-to"]]) {
      const value = $(id).value.trim();
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  async function loadMeta() {
    try {
      const meta = await (await call("/api/v1/meta", false)).json();
      fillSelects(meta);
    } catch (error) {
      $("error").textContent = say("lists_failed", { reason: error.message });
      $("error").hidden = false;
    }
  }

  function option(value, label) {
    const el = document.createElement("option");
    el.value = value;
    el.textContent = label;
    return el;
  }

  function fillSelects(meta) {
    state.meta = meta;
    for (const s of meta.sectors) state.sectorLabels[s.name] = s.label;
    refreshSelects();
    if (state.report) renderCharts(state.report);   // sector labels arrived after the report
  }

  function remember(report) {
    // The values that have data (anything placed or in the pipeline) in an unfiltered view.
    const has = (c) => c.placed > 0 || c.in_pipeline > 0;
    for (const [name, items] of [["sector", report.by_sector], ["state", report.by_state],
                                 ["prefecture", report.by_prefecture]]) {
      for (const c of items) if (has(c)) state.seen[name].add(c.key);
    }
    refreshSelects();
  }

  function refreshSelects() {
    // Offer only values that exist in the figures (all of them until the first report).
    const meta = state.meta;
    if (!meta) return;
    const known = (name, value) => !state.report || state.seen[name].has(value);
    const keep = (id) => $(id).value;
    const fill = (id, allLabel, build) => {
      const chosen = keep(id);
      $(id).replaceChildren(option("", allLabel));
      build($(id));
      if (chosen && ![...$(id).options].some((o) => o.value === chosen)) {
        $(id).append(option(chosen, chosen));
      }
      $(id).value = chosen;
    };
    fill("filter-sector", say("all_sectors"), (select) => {
      for (const s of meta.sectors) {
        if (known("sector", s.name)) select.append(option(s.name, sectorName(s.name)));
      }
    });
    fill("filter-state", say("all_states"), (select) => {
      const groups = { state: say("group_state"), union_territory: say("group_union_territory") };
      const byKind = {};
      for (const s of meta.states) {
        if (known("state", s.name)) (byKind[s.kind] = byKind[s.kind] || []).push(s.name);
      }
      for (const [kind, names] of Object.entries(byKind)) {
        const group = document.createElement("optgroup");
        group.label = groups[kind] || kind;
        for (const name of names) group.append(option(name, stateName(name)));
        select.append(group);
      }
    });
    fill("filter-prefecture", say("all_prefectures"), (select) => {
      for (const name of meta.prefectures) {
        if (known("prefecture", name)) select.append(option(name, prefectureName(name)));
      }
    });
  }

  async function loadReport() {
    const seq = ++state.seq;
    let query;
    try {
      query = readFilters();
    } catch (error) {
      showError(error);
      return;
    }
    $("dashboard").dataset.state = "loading";
    $("status").textContent = say("loading");
    $("error").hidden = true;
    try {
      const response = await call(`/api/v1/reports/progress${query ? "?" + query : ""}`, true);
      const report = await response.json();
      if (seq !== state.seq) return;
      state.report = report;
      state.query = query;
      if (!query) remember(report);
      render(report);
      $("dashboard").dataset.state = "ready";
    } catch (error) {
      if (seq !== state.seq) return;
      $("dashboard").dataset.state = "error";
      showError(error);
    } finally {
      if (seq === state.seq) $("status").textContent = "";
    }
  }

  async function downloadCsv(event) {
    event.preventDefault();
    if (!state.report) return;
    try {
      const q = state.query;
      const response = await call(`/api/v1/reports/progress.csv${q ? "?" + q : ""}`, true);
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="?([^";]+)"?/.exec(disposition);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = match ? match[1] : "progress.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      showError(error);
    }
  }

  // ---------- headline tiles ----------
  function setFigure(id, value, text) {
    $(id).dataset.value = value === null ? "" : String(value);
    $(id).textContent = text;
  }

  function clearFigures() {
    for (const id of ["placed", "percent", "target", "goal-end", "required-per-month",
                      "actual-per-month", "projection", "in-pipeline", "contribution"]) {
      setFigure(id, "", "–");
    }
    $("scope-banner").textContent = "";
    $("scope-banner").dataset.kind = "";
    $("filter-note").hidden = true;
    $("dashboard").dataset.view = "programme";
    state.seen = { sector: new Set(), state: new Set(), prefecture: new Set() };
    refreshSelects();
    $("on-track").textContent = "";
    $("on-track").dataset.value = "";
    $("on-track").className = "badge";
    $("percent-meter").style.width = "0";
    for (const id of ["chart-cumulative", "chart-funnel", "chart-sector", "chart-partnership",
                      "chart-state", "chart-prefecture"]) $(id).replaceChildren();
    $("goal-summary").textContent = say("goal_summary");
  }

  function render(report) {
    const { goal, pace, scope } = report;
    const programme = scope.kind === "programme";
    $("dashboard").dataset.view = programme ? "programme" : "organisation";
    $("scope-banner").dataset.kind = scope.kind;
    // The API's sentences are English; a page in another language says them from the data.
    const english = LANG === "en";
    $("scope-banner").textContent = english ? scope.description : describeScope(scope);
    const filtered = Object.values(scope.filters).some((v) => v !== null);
    $("filter-note").textContent = english ? goal.note : goalNote(goal, scope);
    $("filter-note").hidden = programme && !filtered;
    const dates = { target: fmt(goal.target), start: fmtDate(goal.start), end: fmtDate(goal.end),
                    as_of: fmtDate(report.as_of), key: goal.key };
    $("goal-summary").textContent = !programme
      ? say("goal_organisation", { organisation: scope.organisation, as_of: dates.as_of })
      : say(goal.applies_to === "programme" ? "goal_programme" : "goal_target", dates);
    $("placed-sub").textContent = say(programme ? "placed_programme"
      : scope.kind === "institute" ? "placed_institute" : "placed_employer");
    setFigure("placed", report.placed, fmt(report.placed));
    const open = report.funnel.filter((s) => !EXITS.has(s.stage) && s.stage !== "placed")
      .reduce((sum, s) => sum + s.count, 0);
    setFigure("in-pipeline", open, fmt(open));
    setFigure("contribution", report.percent_of_goal, fmtPercent(report.percent_of_goal));
    $("contribution-target").textContent = fmt(goal.target);
    setFigure("percent", report.percent_of_goal, fmtPercent(report.percent_of_goal));
    $("percent-meter").style.width = `${Math.min(report.percent_of_goal, 100)}%`;
    setFigure("target", goal.target, fmt(goal.target));
    setFigure("goal-end", goal.end, fmtDate(goal.end));
    setFigure("required-per-month", pace.required_per_month, fmt(pace.required_per_month));
    setFigure("actual-per-month", pace.actual_per_month, fmt(pace.actual_per_month));
    const projected = pace.projected_completion_date;
    setFigure("projection", projected,
              projected ? fmtDate(projected)
                : pace.actual_per_month > 0 ? say("never") : say("no_recent"));
    $("projection").classList.toggle("long", !projected);
    const badge = $("on-track");
    badge.dataset.value = String(pace.on_track);
    badge.textContent = say(pace.on_track ? "on_track" : "behind");
    badge.className = `badge ${pace.on_track ? "good" : "warn"}`;
    renderCharts(report);
  }

  function renderCharts(report) {
    drawCumulative(report);
    const funnelRows = report.funnel.map((s) => ({
      key: s.stage, label: stageLabel(s.stage), value: s.count,
      tone: EXITS.has(s.stage) ? "exit" : (s.stage === "placed" ? "placed" : ""),
      gapBefore: s.stage === "rejected",
    }));
    barChart($("chart-funnel"), funnelRows);
    const counts = (items, label) => items.map((c) => ({
      key: c.key, label: label(c.key), value: c.placed, note: c.in_pipeline,
    }));
    barChart($("chart-sector"), counts(report.by_sector, sectorName));
    barChart($("chart-partnership"), report.by_partnership.map((p) => ({
      key: `${p.state}–${p.prefecture}`,
      label: `${stateName(p.state)} – ${prefectureName(p.prefecture)}`, value: p.placed,
      note: p.in_pipeline,
    })));
    for (const [name, items, label] of [["state", report.by_state, stateName],
                                        ["prefecture", report.by_prefecture, prefectureName]]) {
      barChart($(`chart-${name}`), counts(items.slice(0, TOP), label));
      $(`${name}-note`).textContent = items.length > TOP ? say("top_by_placed", { num: TOP })
        : say("by_placed");
    }
  }

  function describeScope(scope) {
    const names = { sector: sectorName, state: stateName, prefecture: prefectureName };
    const shown = [["sector", "sector"], ["state", "state"], ["prefecture", "prefecture"],
                   ["from", "date_from"], ["to", "date_to"]]
      .map(([key, field]) => [key, scope.filters[key] ?? scope.filters[field]])
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => say(`filter_${key}`, { value: (names[key] || fmtDate)(value) }));
    const kind = scope.kind === "programme" ? "programme" : scope.kind;
    const key = `scope_${kind}${shown.length ? "_filtered" : ""}`;
    return say(key, { organisation: scope.organisation, filters: shown.join(say("list_separator")) });
  }

  function goalNote(goal, scope) {
    if (scope.kind !== "programme") return say("note_organisation", { organisation: scope.organisation });
    if (goal.applies_to !== "programme") {
      return say("note_target", { key: goal.key, target: fmt(goal.target) });
    }
    const byPlace = ["sector", "state", "prefecture"].some((f) => scope.filters[f]);
    return say(byPlace ? "note_whole" : "note_programme");
  }

  // ---------- SVG drawing ----------
  function el(tag, attrs = {}, text) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fitText(node, width) {
    // Shorten a label with an ellipsis until it fits; the full text stays in its <title>.
    const full = node.textContent;
    if (node.getComputedTextLength() <= width) return;
    let n = full.length;
    while (n > 1 && node.getComputedTextLength() > width) {
      n -= 1;
      node.textContent = `${full.slice(0, n).trimEnd()}…`;
    }
    node.prepend(el("title", {}, full));
  }

  function empty(container, message) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = message;
    container.replaceChildren(p);
  }

  function drawCumulative(report) {
    const programme = report.scope.kind === "programme";
    lineChart($("chart-cumulative"), report.by_month,
              { wholeGoal: $("whole-goal").checked, goal: programme });
  }

  function textWidth(svg, text) {
    const probe = el("text", { x: 0, y: -100 }, text);
    svg.append(probe);
    const width = probe.getComputedTextLength();
    probe.remove();
    return width;
  }

  function barChart(container, rows) {
    if (!rows.length) { empty(container, say("nothing")); return; }
    const width = Math.max(container.clientWidth, 320);
    // Room for the longest label, up to 45% of the width; longer ones end in … with a tooltip.
    container.replaceChildren(el("svg", { width, height: 1 }));
    const longest = Math.max(...rows.map((r) => textWidth(container.firstChild, r.label)));
    const labelWidth = Math.min(Math.ceil(longest) + 16, Math.round(width * 0.45));
    const rowHeight = 26, barHeight = 16, gap = 10;
    const valueSpace = rows.some((r) => r.note !== undefined) ? 128 : 56;
    const gaps = rows.filter((r) => r.gapBefore).length;
    const height = rows.length * rowHeight + gaps * gap + 4;
    const barMax = width - labelWidth - valueSpace;
    const max = Math.max(...rows.map((r) => r.value));
    const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    container.replaceChildren(svg);
    let y = 2;
    for (const row of rows) {
      if (row.gapBefore) {
        svg.append(el("line", { x1: 0, x2: width, y1: y + gap / 2, y2: y + gap / 2,
                                class: "grid-line" }));
        y += gap;
      }
      const mid = y + rowHeight / 2;
      const label = el("text", { x: labelWidth - 10, y: mid, "text-anchor": "end",
                                 "dominant-baseline": "central" }, row.label);
      svg.append(label);
      fitText(label, labelWidth - 14);
      svg.append(el("rect", { x: labelWidth, y: mid - barHeight / 2, width: barMax,
                              height: barHeight, rx: 3, class: "track" }));
      const barWidth = max > 0 ? (row.value / max) * barMax : 0;
      const bar = el("rect", {
        x: labelWidth, y: mid - barHeight / 2, width: barWidth, height: barHeight, rx: 3,
        class: `bar ${row.tone || ""}`.trim(), "data-key": row.key, "data-value": row.value,
      });
      bar.append(el("title", {}, row.note !== undefined
        ? say("bar_title", { label: row.label, value: fmt(row.value), pipeline: fmt(row.note) })
        : say("bar_value", { label: row.label, value: fmt(row.value) })));
      svg.append(bar);
      const value = el("text", { x: labelWidth + barMax + 8, y: mid, class: "value",
                                 "dominant-baseline": "central" }, fmt(row.value));
      svg.append(value);
      if (row.note !== undefined) {
        svg.append(el("text", { x: labelWidth + barMax + 8 + value.getComputedTextLength() + 8,
                                y: mid, class: "note", "dominant-baseline": "central" },
                      say("in_pipeline", { num: fmt(row.note) })));
      }
      y += rowHeight;
    }
    svg.setAttribute("aria-label", rows.map((r) => `${r.label} ${r.value}`).join(", "));
  }

  function niceStep(top, ticks) {
    const raw = Math.max(top / ticks, 1);
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
    return Math.max(1, step);
  }

  function lineChart(container, months, { wholeGoal, goal: withGoal }) {
    if (!months.length) { empty(container, say("no_months")); return; }
    const width = Math.max(container.clientWidth, 420), height = 300;
    const m = { left: 62, right: 118, top: 14, bottom: 34 };
    const plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
    const cumulative = months.map((p) => p.cumulative), goal = months.map((p) => p.goal_line);
    // By default the axis fits the placements (with headroom) so their line is readable; the
    // goal line is drawn as far as it fits and its figure is given at the end.
    const top = wholeGoal && withGoal ? Math.max(...cumulative, ...goal, 4)
      : Math.max(Math.ceil(Math.max(...cumulative) * 1.25), 4);
    const step = niceStep(top, 5);
    const yMax = Math.ceil(top / step) * step;
    const x = (i) => m.left + (months.length === 1 ? plotW / 2 : (i * plotW) / (months.length - 1));
    const y = (v) => m.top + plotH - (v / yMax) * plotH;
    const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
                            "aria-label": say("line_label") });
    container.replaceChildren(svg);
    const clip = `clip-${container.id}`;
    const defs = el("defs");
    const clipPath = el("clipPath", { id: clip });
    clipPath.append(el("rect", { x: m.left - 4, y: m.top, width: plotW + 8, height: plotH + 4 }));
    defs.append(clipPath);
    svg.append(defs);

    const axis = el("g", { class: "axis" });
    for (let v = 0; v <= yMax; v += step) {
      axis.append(el("line", { x1: m.left, x2: m.left + plotW, y1: y(v), y2: y(v),
                               class: v === 0 ? "base" : "" }));
      axis.append(el("text", { x: m.left - 8, y: y(v), "text-anchor": "end",
                               "dominant-baseline": "central" }, fmt(v)));
    }
    const every = Math.max(1, Math.ceil(months.length / Math.max(1, Math.floor(plotW / 70))));
    months.forEach((p, i) => {
      if ((months.length - 1 - i) % every !== 0) return;
      axis.append(el("line", { x1: x(i), x2: x(i), y1: m.top + plotH, y2: m.top + plotH + 5,
                               class: "base" }));
      axis.append(el("text", { x: x(i), y: m.top + plotH + 19, "text-anchor": "middle" },
                     fmtMonth(p.month)));
    });
    svg.append(axis);

    const path = (values) => values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
    if (withGoal) {
      svg.append(el("polyline", { points: path(goal), class: "goal-line",
                                  "clip-path": `url(#${clip})`, "data-series": "goal" }));
    }
    svg.append(el("polyline", { points: path(cumulative), class: "cumulative-line" }));
    const points = el("g");
    months.forEach((p, i) => {
      const dot = el("circle", {
        cx: x(i), cy: y(p.cumulative), r: months.length > 36 ? 2.5 : 3.5, class: "point",
        "data-series": "cumulative", "data-key": p.month, "data-value": p.cumulative,
        "data-placed": p.placed, "data-goal": p.goal_line,
      });
      dot.append(el("title", {}, say(withGoal ? "point_goal" : "point", {
        month: fmtMonth(p.month), total: fmt(p.cumulative), placed: fmt(p.placed),
        goal: fmt(p.goal_line),
      })));
      points.append(dot);
    });
    svg.append(points);

    // Figures at the end of each line, nudged apart when they would overlap.
    const last = months[months.length - 1];
    const xEnd = x(months.length - 1) + 8;
    let yCum = y(last.cumulative);
    let yGoal = Math.max(y(last.goal_line), m.top);
    const goalText = say("end_goal", { num: fmt(last.goal_line) }) +
      (y(last.goal_line) < m.top ? " ↑" : "");
    if (withGoal && Math.abs(yCum - yGoal) < 15) {
      if (yCum >= yGoal) yCum = yGoal + 15; else yGoal = yCum + 15;
    }
    if (withGoal) {
      svg.append(el("text", { x: xEnd, y: yGoal, class: "end-label goal",
                              "dominant-baseline": "central" }, goalText));
    }
    svg.append(el("text", { x: xEnd, y: yCum, class: "end-label placed",
                            "dominant-baseline": "central" },
                    say("end_placed", { num: fmt(last.cumulative) })));
  }

  // ---------- wiring ----------
  $("signout").addEventListener("click", () => { endSession(); });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });
  $("clear").addEventListener("click", () => { $("filters").reset(); loadReport(); });
  $("download-csv").addEventListener("click", downloadCsv);
  $("whole-goal").addEventListener("change", () => { if (state.report) drawCumulative(state.report); });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.report) renderCharts(state.report); }, 150);
  });

  loadMeta();
  fetch("/app/session", { headers: { Accept: "application/json" }, cache: "no-store",
                          credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) { showSignin(); return; }
      csrfToken = (await response.json()).csrf_token;
      showDashboard();
      loadReport();
    })
    .catch(() => showSignin(say("unreachable")));
})();
