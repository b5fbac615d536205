// Energy and comfort: the place for the comfort component's plots (issue 22). Until it serves
// a plan of its own, the page reads the entities that exist, found by Home Assistant's device
// classes and units, so it fills in as they land: thermostats (room temperature against the
// set-point), room temperatures, power (PV, grid, load: W or kW), home batteries (storage in
// kWh, or a state of charge named as such), price and carbon signals, and `sensor.*_forecast`
// (its forecast attribute drawn when it has one, HA's list of {datetime, value} shape; its
// history otherwise). The last 24 hours come from the recorder's history API. What the planners
// say (an entity whose `reasons` attribute is a list of sentences: the battery plan, the data
// hall's supervisor, pre-heating) is shown in their words above the graphs, with their mode.
import { store, el, friendly } from "./store.js";
import { loadUplot, widthOf } from "./plot.js";

const HOUR = 3600;
const COLORS = ["#b35c00", "#1a5fb4", "#2f7d4f", "#8b3fa8", "#c01c28", "#5e5c64"];
const TIME_KEYS = ["datetime", "period_start", "start", "time"];

const attr = (s, k) => (s.attributes || {})[k];
const num = (v) => (v === null || v === undefined || v === "" || isNaN(Number(v)) ? null : Number(v));

// which group an entity belongs in (null: not an energy or comfort entity)
export function groupOf(s) {
  const id = s.entity_id, dc = attr(s, "device_class"), unit = attr(s, "unit_of_measurement") || "";
  if (id.startsWith("climate.")) return "climate";
  if (!id.startsWith("sensor.")) return null;
  if (/forecast/.test(id)) return "forecast";
  if (dc === "energy_storage" || (dc === "battery" && /(home_battery|storage|state_of_charge|_soc\b|soc_)/.test(id))) return "storage";
  if (dc === "power" || /^k?W$/.test(unit)) return "power";
  if (dc === "monetary" || /\/kWh$/.test(unit) || /co2/i.test(unit)) return "signal";
  if (dc === "energy" || /^k?Wh$/.test(unit)) return "energy";
  if (dc === "temperature") return "temperature";
  return null;
}

function forecastPoints(s) {
  // the first attribute that is a list of {time, number}: [[t, v], ...]
  for (const v of Object.values(s.attributes || {})) {
    if (!Array.isArray(v) || !v.length || typeof v[0] !== "object") continue;
    const tk = TIME_KEYS.find((k) => k in v[0]);
    const vk = tk && Object.keys(v[0]).find((k) => k !== tk && num(v[0][k]) !== null);
    if (!vk) continue;
    const pts = v.map((p) => [Date.parse(p[tk]) / 1000, num(p[vk])]).filter(([t, x]) => !isNaN(t) && x !== null);
    if (pts.length) return pts;
  }
  return null;
}

function lastChange() {
  let t = 0;
  for (const s of store.states.values()) t = Math.max(t, Date.parse(s.last_updated) / 1000 || 0);
  return t || Date.now() / 1000;
}

// the entities that explain themselves: a `reasons` attribute holding sentences
function saying() {
  return [...store.states.values()]
    .filter((s) => Array.isArray(attr(s, "reasons")) && attr(s, "reasons").some((r) => typeof r === "string"))
    .sort((a, b) => a.entity_id.localeCompare(b.entity_id));
}

function toKw(v, unit) { return unit === "W" ? v / 1000 : v; }

export default class EnergyView {
  constructor(hub, root) {
    this.hub = hub; this.root = root; this.plots = []; this.groups = {}; this.drawn = {};
    this.gauges = el("div", { class: "gauges", id: "energy-gauges" });
    this.graphs = el("div", { id: "energy-graphs" });
    this.says = el("div", { id: "energy-says" });
    this.note = el("p", { class: "small", role: "status", id: "energy-note" });
    root.append(el("h1", { text: "Energy and comfort" }), this.note, this.says, this.gauges, this.graphs);
  }

  async show() {
    for (const p of this.plots) p.destroy();
    this.plots = []; this.drawn = {};
    const groups = { climate: [], temperature: [], power: [], storage: [], signal: [], energy: [], forecast: [] };
    for (const s of store.states.values()) { const g = groupOf(s); if (g) groups[g].push(s); }
    for (const list of Object.values(groups)) list.sort((a, b) => a.entity_id.localeCompare(b.entity_id));
    this.groups = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v.map((s) => s.entity_id)]));
    const missing = ["power", "storage", "forecast"].filter((g) => !groups[g].length);
    this.note.textContent = (missing.length ? `No ${missing.join(", ")} entities on this hub yet: their graphs appear here as they land (the comfort component's plan and forecasts, PV, battery and grid meters). ` : "")
      + "The last 24 hours, from the recorder.";
    this.says.replaceChildren(...saying().map((s) => this.said(s)));
    this.gauges.replaceChildren(...[...groups.climate, ...groups.power, ...groups.storage, ...groups.signal, ...groups.energy]
      .map((s) => this.gauge(s)));
    // the day up to the hub's last change (nothing changed after it; a simulated home's clock
    // may run behind or ahead of the browser's), plus a second: the history API's end is open
    const end = lastChange() + 1, start = end - 24 * HOUR;
    const ids = (g) => groups[g].map((s) => s.entity_id);
    const [plain, climate, uPlot] = await Promise.all([
      this.history([...ids("temperature"), ...ids("power"), ...ids("storage"), ...ids("forecast")], start, end, true),
      this.history(ids("climate"), start, end, false),
      loadUplot(),
    ]);
    const sections = [];
    for (const s of groups.climate) {
      const rows = climate.get(s.entity_id) || [];
      sections.push(this.graph(uPlot, `${friendly(s.entity_id)}: room and set-point (°C)`, [
        ["room", rows.map((r) => [r.t, num(attr(r, "current_temperature"))])],
        ["set-point", rows.map((r) => [r.t, num(attr(r, "temperature"))])]], start, end, s.entity_id));
    }
    const series = (list, f = (v) => v) => list.map((s) => [friendly(s.entity_id),
      (plain.get(s.entity_id) || []).map((r) => [r.t, num(r.state) === null ? null : f(num(r.state), attr(s, "unit_of_measurement"))])]);
    if (groups.temperature.length) sections.push(this.graph(uPlot, "Room temperatures (°C)", series(groups.temperature), start, end, "temperatures"));
    if (groups.power.length) sections.push(this.graph(uPlot, "Power (kW)", series(groups.power, toKw), start, end, "power"));
    if (groups.storage.length) sections.push(this.graph(uPlot, "Home battery", series(groups.storage), start, end, "storage"));
    for (const s of groups.forecast) {
      const ahead = forecastPoints(s);
      sections.push(ahead
        ? this.graph(uPlot, `${friendly(s.entity_id)} (forecast)`, [["forecast", ahead]], ahead[0][0], ahead[ahead.length - 1][0], s.entity_id)
        : this.graph(uPlot, friendly(s.entity_id), series([s]), start, end, s.entity_id));
    }
    this.graphs.replaceChildren(...sections.filter(Boolean));
  }

  said(s) {
    // a planner's mode and its reasons, as it wrote them
    const reasons = attr(s, "reasons").filter((r) => typeof r === "string");
    return el("section", { class: "card", "data-says": s.entity_id },
      el("h3", { text: `${friendly(s.entity_id)}: ${s.state}` }),
      el("ul", {}, ...reasons.map((r) => el("li", { text: r }))));
  }

  gauge(s) {
    const unit = attr(s, "unit_of_measurement") || "";
    const text = s.entity_id.startsWith("climate.")
      ? `${attr(s, "current_temperature") ?? "–"} → ${attr(s, "temperature") ?? "–"} °C · ${s.state}${attr(s, "hvac_action") ? ` (${attr(s, "hvac_action")})` : ""}`
      : `${s.state} ${unit}`.trim();
    return el("div", { class: "gauge", "data-eid": s.entity_id }, el("div", { class: "small", text: friendly(s.entity_id) }), el("b", { text }));
  }

  async history(ids, start, end, minimal) {
    // entity_id -> [{t, state, attributes}], oldest first
    const out = new Map();
    if (!ids.length) return out;
    const path = `/api/history/period/${encodeURIComponent(new Date(start * 1000).toISOString())}` +
      `?filter_entity_id=${encodeURIComponent(ids.join(","))}&end_time=${encodeURIComponent(new Date(end * 1000).toISOString())}` +
      (minimal ? "&minimal_response&no_attributes" : "");
    const lists = await this.hub.rest(path).catch(() => []);
    for (const items of lists) {
      if (!items.length) continue;
      out.set(items[0].entity_id, items.map((s) => ({ t: Date.parse(s.last_updated || s.last_changed) / 1000, state: s.state, attributes: s.attributes })));
    }
    return out;
  }

  graph(uPlot, title, lines, start, end, key) {
    // one x array for uPlot: the union of times, each line null where it has no point; a
    // value holds until the next (a step line, as readings and set-points are)
    const kept = lines.filter(([, pts]) => pts.some(([, v]) => v !== null));
    if (!kept.length) return el("section", { class: "card", "data-graph": key }, el("h3", { text: title }), el("p", { class: "small", text: "Nothing recorded in these 24 hours." }));
    const xs = [...new Set(kept.flatMap(([, p]) => p.map(([t]) => t)))].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const data = [xs, ...kept.map(([, pts]) => { const ys = new Array(xs.length).fill(null); for (const [t, v] of pts) ys[index.get(t)] = v; return ys; })];
    const box = el("section", { class: "chart", "data-graph": key }, el("h3", { text: title }));
    this.graphs.append(box);  // measured before drawing: its width
    const plot = new uPlot({
      width: widthOf(box), height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), store.zone || "UTC"),
      scales: { x: { time: true, min: start, max: end } },
      legend: { live: false },
      series: [{}, ...kept.map(([label], i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5,
        spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }))],
    }, data, box);
    this.plots.push(plot);
    this.drawn[key] = data;  // what was drawn, for tests
    return box;
  }
}
