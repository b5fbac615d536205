// One control per domain, as a small object: `node` to place, `set(state)` to show a new state
// without rebuilding (so a slider being dragged is not replaced under the finger).
import { el, friendly } from "./store.js";

const TOGGLE = new Set(["light", "switch", "fan", "input_boolean", "media_player", "automation"]);
const BINARY = { door: ["closed", "open"], window: ["closed", "open"], motion: ["clear", "detected"],
  occupancy: ["clear", "detected"], presence: ["away", "home"] };

export function stateText(s) {
  const a = s.attributes || {};
  const domain = s.entity_id.split(".")[0];
  if (domain === "binary_sensor" && BINARY[a.device_class] && (s.state === "on" || s.state === "off")) {
    return BINARY[a.device_class][s.state === "on" ? 1 : 0];
  }
  if (domain === "climate") {
    const cur = a.current_temperature != null ? `${a.current_temperature}°` : "";
    const target = a.temperature != null ? ` → ${a.temperature}°` : "";
    return `${s.state} ${cur}${target}`.trim();
  }
  if (domain === "cover" && a.current_position != null) return `${s.state} ${a.current_position}%`;
  if (domain === "light" && s.state === "on" && a.brightness != null) {
    return `on ${Math.round((a.brightness / 255) * 100)}%`;
  }
  if (domain === "fan" && s.state === "on" && a.percentage) return `on ${a.percentage}%`;
  return a.unit_of_measurement ? `${s.state} ${a.unit_of_measurement}` : s.state;
}

function range(label, min, max, step, onchange) {
  return el("input", { type: "range", min, max, step, "aria-label": label,
    onchange: (e) => onchange(Number(e.target.value)) });
}

export function makeControl(hub, s) {
  const id = s.entity_id;
  const domain = id.split(".")[0];
  const name = friendly(id);
  const call = (service, data = {}) => hub.service(domain, service, { entity_id: id, ...data })
    .catch((e) => document.dispatchEvent(new CustomEvent("hm-error", { detail: e.message })));
  const node = el("span", { class: "ctl" });
  const setters = [];

  if (TOGGLE.has(domain)) {
    const b = el("button", { "aria-label": `${name}: switch`, onclick: () => call("toggle") });
    node.append(b);
    setters.push((st) => {
      const on = st.state === "on" || st.state === "playing";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "On" : "Off";
    });
  }
  const a = s.attributes || {};
  const modes = a.supported_color_modes || [];
  if (domain === "light" && (a.brightness != null || modes.some((m) => m !== "onoff"))) {
    const r = range(`${name}: brightness`, 1, 100, 1, (v) => call("turn_on", { brightness_pct: v }));
    node.append(r);
    setters.push((st) => {
      if (document.activeElement !== r && st.attributes.brightness != null) {
        r.value = Math.round((st.attributes.brightness / 255) * 100);
      }
    });
  }
  if (domain === "light" && (a.min_color_temp_kelvin || modes.includes("color_temp"))) {
    const lo = a.min_color_temp_kelvin || 2000, hi = a.max_color_temp_kelvin || 6500;
    const r = range(`${name}: colour temperature`, lo, hi, 50,
      (v) => call("turn_on", { color_temp_kelvin: v }));
    node.append(r);
    setters.push((st) => {
      if (document.activeElement !== r && st.attributes.color_temp_kelvin) r.value = st.attributes.color_temp_kelvin;
    });
  }
  if (domain === "fan" && a.percentage != null) {
    const r = range(`${name}: speed`, 0, 100, a.percentage_step || 1,
      (v) => call("set_percentage", { percentage: v }));
    node.append(r);
    setters.push((st) => { if (document.activeElement !== r) r.value = st.attributes.percentage || 0; });
  }
  if (domain === "climate") {
    const step = a.target_temp_step || 0.5;
    let target = a.temperature;
    const shown = el("span", { class: "st" });
    const nudge = (d) => {
      target = Math.min(a.max_temp ?? 35, Math.max(a.min_temp ?? 5, (target ?? 20) + d));
      shown.textContent = `${target}°`;
      call("set_temperature", { temperature: target });
    };
    const sel = el("select", { "aria-label": `${name}: mode`,
      onchange: (e) => call("set_hvac_mode", { hvac_mode: e.target.value }) },
      ...(a.hvac_modes || []).map((m) => el("option", { value: m, text: m })));
    node.append(el("button", { "aria-label": `${name}: lower set-point`, onclick: () => nudge(-step), text: "−" }),
      shown, el("button", { "aria-label": `${name}: raise set-point`, onclick: () => nudge(step), text: "+" }), sel);
    setters.push((st) => {
      target = st.attributes.temperature; shown.textContent = target != null ? `${target}°` : "–";
      if (document.activeElement !== sel) sel.value = st.state;
    });
  }
  if (domain === "cover") {
    node.append(
      el("button", { "aria-label": `${name}: open`, onclick: () => call("open_cover"), text: "Open" }),
      el("button", { "aria-label": `${name}: stop`, onclick: () => call("stop_cover"), text: "Stop" }),
      el("button", { "aria-label": `${name}: close`, onclick: () => call("close_cover"), text: "Close" }));
    if (a.current_position != null) {
      const r = range(`${name}: position`, 0, 100, 1, (v) => call("set_cover_position", { position: v }));
      node.append(r);
      setters.push((st) => { if (document.activeElement !== r) r.value = st.attributes.current_position ?? 0; });
    }
  }
  if (domain === "lock") {
    // a lock asks again before it acts: one more press, named, with a way back
    const b = el("button", {});
    const ask = el("span", { class: "confirm", hidden: true });
    const yes = el("button", { class: "primary" });
    const no = el("button", { text: "Cancel" });
    ask.append(yes, no);
    let service = "unlock";
    b.onclick = () => { b.hidden = true; ask.hidden = false; yes.focus(); };
    no.onclick = () => { ask.hidden = true; b.hidden = false; b.focus(); };
    yes.onclick = () => { ask.hidden = true; b.hidden = false; call(service); };
    node.append(b, ask);
    setters.push((st) => {
      service = st.state === "locked" ? "unlock" : "lock";
      const verb = service === "unlock" ? "Unlock" : "Lock";
      b.textContent = verb; b.setAttribute("aria-label", `${name}: ${verb.toLowerCase()}`);
      yes.textContent = `Yes, ${verb.toLowerCase()} ${name}`;
    });
  }
  const set = (st) => { for (const f of setters) f(st); };
  set(s);
  return { node, set };
}
