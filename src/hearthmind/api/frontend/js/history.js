// History from the recorder's API: line graphs for numeric entities (several on one graph,
// uPlot: drag to zoom, double-click to zoom out), timelines for on/off and modes, any range
// (quick ranges, pan, or from/to), all in the home's time zone.
import { store, el, friendly } from "./store.js";
import { loadUplot } from "./plot.js";

const HOUR = 3600;
const RANGES = [["1 h", 1], ["24 h", 24], ["7 d", 168], ["30 d", 720]];
const COLORS = ["#b35c00", "#1a5fb4", "#2f7d4f", "#8b3fa8", "#c01c28", "#5e5c64"];

function colorOf(state) {
  if (state === "on" || state === "open" || state === "unlocked" || state === "home") return "#f3a530";
  if (state === "off" || state === "closed" || state === "locked" || state === "not_home") return "#d8d2ca";
  if (state === "unknown" || state === "unavailable") return "#eee";
  let h = 0;
  for (const c of state) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 72%)`;
}

// a simulated home's clock may run ahead of the browser's: "now" is the later of the two
export function hubNow() {
  let t = Date.now() / 1000;
  for (const s of store.states.values()) t = Math.max(t, Date.parse(s.last_updated) / 1000 || 0);
  return t;
}

export default class HistoryView {
  constructor(hub, root, app) {
    this.hub = hub; this.root = root; this.app = app; this.plot = null;
    this.entities = []; this.start = 0; this.end = 0;
    this.listId = "hm-entities";
    const pick = el("input", { list: this.listId, placeholder: "add an entity…", "aria-label": "Entity to add" });
    const add = el("button", { text: "Add", onclick: () => {
      const v = pick.value.trim(); if (!v) return; pick.value = "";
      this.go([...new Set([...this.entities, v])], this.start, this.end);
    } });
    pick.addEventListener("keydown", (e) => { if (e.key === "Enter") add.click(); });
    this.datalist = el("datalist", { id: this.listId });
    const ranges = RANGES.map(([label, h]) => el("button", { text: label, onclick: () => {
      const end = hubNow(); this.go(this.entities, end - h * HOUR, end);
    } }));
    const pan = (f) => () => { const w = this.end - this.start; this.go(this.entities, this.start + f * w, this.end + f * w); };
    const zoomOut = () => { const w = this.end - this.start; this.go(this.entities, this.start - w / 2, this.end + w / 2); };
    this.from = el("input", { type: "datetime-local", "aria-label": "From" });
    this.to = el("input", { type: "datetime-local", "aria-label": "To" });
    const apply = el("button", { text: "Show", onclick: () => this.go(this.entities,
      new Date(this.from.value).getTime() / 1000, new Date(this.to.value).getTime() / 1000) });
    this.title = el("h1", { text: "History" });
    this.chips = el("div", { class: "toolbar", "aria-label": "Entities shown" });
    this.chart = el("div", { class: "chart", id: "history-chart" });
    this.timeline = el("div", { class: "timeline", id: "history-timeline" });
    this.note = el("p", { class: "small", role: "status" });
    root.append(this.title,
      el("div", { class: "toolbar" }, pick, add, this.datalist, ...ranges,
        el("button", { text: "◀", "aria-label": "Earlier", onclick: pan(-0.5) }),
        el("button", { text: "▶", "aria-label": "Later", onclick: pan(0.5) }),
        el("button", { text: "Zoom out", onclick: zoomOut }), this.from, this.to, apply),
      this.chips, this.chart, this.timeline, this.note);
  }

  go(entities, start, end) {
    const q = new URLSearchParams({ e: entities.join(","), start: new Date(start * 1000).toISOString(),
      end: new Date(end * 1000).toISOString() });
    location.hash = `#/history?${q}`;
  }

  async show(params, t0) {
    this.datalist.replaceChildren(...[...store.states.keys()].sort().map((id) => el("option", { value: id })));
    const e = (params.get("e") || "").split(",").filter(Boolean);
    const now = hubNow();
    const time = (k) => { const t = Date.parse(params.get(k) || "") / 1000; return isNaN(t) ? null : t; };
    this.end = time("end") ?? now;
    this.start = time("start") ?? this.end - Number(params.get("h") || 24) * HOUR;
    this.entities = e.length ? e : [...store.states.keys()].filter((id) => id.startsWith("sensor.")).slice(0, 1);
    const local = (t) => new Date(t * 1000 - new Date(t * 1000).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    this.from.value = local(this.start); this.to.value = local(this.end);
    this.chips.replaceChildren(...this.entities.map((id) => el("button", {
      text: `${friendly(id)} ✕`, "aria-label": `Remove ${friendly(id)}`,
      onclick: () => this.go(this.entities.filter((x) => x !== id), this.start, this.end) })));
    if (!this.entities.length) { this.note.textContent = "Pick an entity."; return; }
    this.note.textContent = "loading…";
    const path = `/api/history/period/${encodeURIComponent(new Date(this.start * 1000).toISOString())}` +
      `?filter_entity_id=${encodeURIComponent(this.entities.join(","))}` +
      `&end_time=${encodeURIComponent(new Date(this.end * 1000).toISOString())}&minimal_response&no_attributes`;
    const [lists, uPlot] = await Promise.all([this.hub.rest(path), loadUplot()]);
    const t1 = performance.now();
    this.draw(lists, uPlot);
    this.app.timings.history_fetch_ms = t1 - t0;
    this.app.timings.history_draw_ms = performance.now() - t1;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const ms = performance.now() - t0;
    this.app.timings.history_ms = ms;
    const n = lists.reduce((a, l) => a + l.length, 0);
    this.note.textContent = `${n} recorded states, drawn in ${Math.round(ms)} ms`;
  }

  draw(lists, uPlot) {
    const numeric = [], timelines = [];
    for (const items of lists) {
      if (!items.length) continue;
      const id = items[0].entity_id;
      const pts = items.map((s) => [Date.parse(s.last_changed) / 1000, s.state]);
      const known = pts.filter(([, v]) => v !== "unknown" && v !== "unavailable");
      if (known.length && known.every(([, v]) => v !== "" && !isNaN(Number(v)))) {
        numeric.push([id, known.map(([t, v]) => [t, Number(v)])]);
      } else timelines.push([id, pts]);
    }
    this.app.lastChart = { series: Object.fromEntries(numeric), timelines: Object.fromEntries(timelines) };
    if (this.plot) { this.plot.destroy(); this.plot = null; }
    this.chart.hidden = !numeric.length;
    if (numeric.length) this.line(numeric, uPlot);
    this.timelines = timelines;
    this.drawTimelines(this.start, this.end);
  }

  line(numeric, uPlot) {
    // uPlot wants one x array: the union of times, each series null where it has no point
    const xs = [...new Set(numeric.flatMap(([, p]) => p.map(([t]) => t)))].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const data = [xs];
    for (const [, pts] of numeric) {
      const ys = new Array(xs.length).fill(null);
      for (const [t, v] of pts) ys[index.get(t)] = v;
      data.push(ys);
    }
    const unit = (id) => (store.states.get(id)?.attributes?.unit_of_measurement) || "";
    const opts = {
      width: Math.max(280, this.chart.clientWidth - 16), height: 300,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), store.zone || "UTC"),
      scales: { x: { time: true, min: this.start, max: this.end } },
      series: [{}, ...numeric.map(([id], i) => ({ label: `${friendly(id)} ${unit(id)}`.trim(),
        stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: false } }))],
      hooks: { setScale: [(u, key) => { if (key === "x") this.drawTimelines(u.scales.x.min, u.scales.x.max); }] },
    };
    this.plot = new uPlot(opts, data, this.chart);
  }

  drawTimelines(a, b) {
    // the bars sit under the graph's plot area, on the same time scale
    let left = 0, width = null;
    if (this.plot) {
      const r = devicePixelRatio || 1;
      left = this.plot.bbox.left / r + 8; width = this.plot.bbox.width / r;
    }
    const rows = [];
    const w = b - a;
    for (const [id, pts] of this.timelines || []) {
      const bar = el("div", { class: "tl-row", "data-eid": id, role: "img", "aria-label": `${friendly(id)} over time` });
      bar.style.marginLeft = `${left}px`;
      if (width !== null) bar.style.width = `${width}px`;
      for (let i = 0; i < pts.length; i++) {
        const s = Math.max(pts[i][0], a), e = Math.min(i + 1 < pts.length ? pts[i + 1][0] : this.end, b);
        if (e <= s) continue;
        const seg = el("span", { title: `${pts[i][1]}`, text: pts[i][1] });
        seg.style.left = `${((s - a) / w) * 100}%`; seg.style.width = `${((e - s) / w) * 100}%`;
        seg.style.background = colorOf(pts[i][1]);
        bar.append(seg);
      }
      rows.push(el("div", { class: "tl" }, el("div", { class: "tl-label", text: friendly(id) }), bar));
    }
    this.timeline.replaceChildren(...rows);
  }
}
