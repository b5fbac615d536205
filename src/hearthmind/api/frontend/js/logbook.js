// Every change with who or what caused it, in words, from the logbook API (origin and user of
// each change's Context); "Why?" asks the recorder to walk the Context chain
// (hearthmind/why) for the full sentence: the person, the rule and its trigger, the routine.
import { store, el, friendly, areaName, personName, when, people } from "./store.js";
import { hubNow } from "./history.js";

const ORIGINS = { physical: "at the device", voice: "by voice", app: "in the app",
  automation: "an automation", agent: "the hub's agent", sensor: "the device itself" };

export function causeWords(row) {
  const who = personName(row.context_user_id);
  const how = ORIGINS[row.context_origin] || row.context_origin || "unknown";
  if (row.context_origin === "automation" || row.context_origin === "agent" || row.context_origin === "sensor") {
    return who ? `${how}, for ${who}` : how;
  }
  return who ? `${who}, ${how}` : how;
}

export default class LogbookView {
  constructor(hub, root) {
    this.hub = hub; this.root = root; this.rows = [];
    const filter = (label, id) => el("select", { id, "aria-label": label, onchange: () => this.render() });
    this.area = filter("Room", "lb-area"); this.person = filter("Person", "lb-person");
    this.origin = filter("Origin", "lb-origin");
    this.hours = el("select", { "aria-label": "Period", onchange: () => this.show() },
      ...[[1, "last hour"], [24, "last day"], [168, "last week"]].map(([h, t]) => el("option", { value: h, text: t })));
    this.hours.value = "24";
    this.body = el("tbody");
    this.note = el("p", { class: "small", role: "status" });
    root.append(el("h1", { text: "Logbook" }),
      el("div", { class: "toolbar" }, this.hours, this.area, this.person, this.origin,
        el("button", { text: "Refresh", onclick: () => this.show() })),
      el("table", { class: "logtable" }, el("thead", {}, el("tr", {}, ...["When", "What", "Became", "Caused by", ""]
        .map((h) => el("th", { text: h })))), this.body), this.note);
  }

  async show() {
    const end = hubNow();
    const start = new Date((end - Number(this.hours.value) * 3600) * 1000).toISOString();
    const rows = await this.hub.rest(`/api/logbook/${encodeURIComponent(start)}` +
      `?end_time=${encodeURIComponent(new Date(end * 1000 + 60000).toISOString())}`);
    this.rows = rows.reverse();
    const fill = (sel, first, pairs) => {
      const v = sel.value;
      sel.replaceChildren(el("option", { value: "", text: first }), ...pairs.map(([k, t]) => el("option", { value: k, text: t })));
      sel.value = v;
    };
    fill(this.area, "every room", store.areas.map((a) => [a.area_id, a.name]));
    fill(this.person, "everyone", people().map((p) => [p.attributes.user_id || p.entity_id.slice(7), p.attributes.friendly_name || p.entity_id]));
    fill(this.origin, "any origin", Object.entries(ORIGINS).map(([k, t]) => [k, k === "sensor" ? "devices" : t.replace(/^(at|by|in) (the )?/, "")]));
    this.render();
  }

  render() {
    const area = this.area.value, person = this.person.value, origin = this.origin.value;
    const shown = this.rows.filter((r) => (!area || store.areaOf.get(r.entity_id) === area)
      && (!person || r.context_user_id === person) && (!origin || r.context_origin === origin)).slice(0, 500);
    this.body.replaceChildren(...shown.map((r) => {
      const why = el("td");
      const cause = el("td", { class: "cause", text: causeWords(r) });
      why.append(el("button", { text: "Why?", "aria-label": `Why did ${r.name || r.entity_id} become ${r.state}?`,
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const ans = await this.hub.call("hearthmind/why", { entity_id: r.entity_id, at: r.when });
            cause.textContent = ans.sentence || causeWords(r);
          } catch (err) { cause.textContent = `${causeWords(r)} (${err.message})`; }
        } }));
      const room = store.areaOf.get(r.entity_id);
      return el("tr", { "data-eid": r.entity_id, "data-context": r.context_id },
        el("td", { text: when(r.when, true) }),
        el("td", {}, r.name || friendly(r.entity_id), room ? el("span", { class: "small", text: ` · ${areaName(room)}` }) : null),
        el("td", { text: r.state }), cause, why);
    }));
    this.note.textContent = `${shown.length} of ${this.rows.length} changes`;
  }
}
