// What the page knows about the home: states by entity, areas, who is where, the home's zone.
// Live changes are applied at most once per animation frame (see applyChange): a burst of a
// hundred changes costs one layout, not a hundred.
export const store = {
  states: new Map(),     // entity_id -> HA state object
  areas: [],             // [{area_id, name}]
  areaOf: new Map(),     // entity_id -> area_id
  zone: undefined,       // the home's time zone (IANA), from get_config
  config: {},
  views: new Set(),      // objects with update(changedIds: Set) called per frame
};

const pending = new Set();
let scheduled = false;
let lastFlush = -1e9;
const FRAME_MS = 16;

export function applyChange(entityId, newState) {
  if (newState) store.states.set(entityId, newState);
  else store.states.delete(entityId);
  pending.add(entityId);
  if (scheduled) return;
  // a lone change is shown at once (the frame it lands in paints it); more within the same
  // frame wait for the next animation frame and go together, so a burst costs one layout
  if (performance.now() - lastFlush >= FRAME_MS) flush();
  else { scheduled = true; requestAnimationFrame(flush); }
}

function flush() {
  scheduled = false;
  lastFlush = performance.now();
  if (!pending.size) return;
  const changed = new Set(pending);
  pending.clear();
  for (const v of store.views) v.update(changed);
}

export async function load(hub) {
  const [states, config, areas, entities, devices] = await Promise.all([
    hub.call("get_states"), hub.call("get_config"),
    hub.call("config/area_registry/list"), hub.call("config/entity_registry/list"),
    hub.call("config/device_registry/list"),
  ]);
  store.config = config;
  store.zone = config.time_zone || undefined;
  store.states = new Map(states.map((s) => [s.entity_id, s]));
  store.areas = areas;
  const deviceArea = new Map(devices.map((d) => [d.id, d.area_id]));
  store.areaOf = new Map();
  for (const e of entities) {
    const area = e.area_id || (e.device_id && deviceArea.get(e.device_id));
    if (area) store.areaOf.set(e.entity_id, area);
  }
}

export function friendly(entityId) {
  const s = store.states.get(entityId);
  return (s && s.attributes && s.attributes.friendly_name) || entityId;
}

export function areaName(areaId) {
  const a = store.areas.find((x) => x.area_id === areaId);
  return a ? a.name : areaId;
}

export function people() {
  return [...store.states.values()].filter((s) => s.entity_id.startsWith("person."));
}

export function personName(userId) {
  if (!userId) return null;
  for (const p of people()) {
    const uid = p.attributes.user_id || p.entity_id.slice(7);
    if (uid === userId) return p.attributes.friendly_name || uid;
  }
  return userId;
}

export function when(iso, withDate = false) {
  const opts = { timeZone: store.zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDate) { opts.weekday = "short"; opts.day = "numeric"; opts.month = "short"; }
  return new Date(iso).toLocaleString([], opts);
}

// small DOM helper: el("div", {class: "x", onclick}, child, "text")
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
