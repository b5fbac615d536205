// What the hub learned and expects: its predictions of what people will do next (probability,
// expected time, the model's reason in words) and the routines the agent keeps, per person,
// as sentences with their evidence and a strip of when in the day each belongs.
import { el, when, personName } from "./store.js";

// the agent's parts of the day (agent/units.py PARTS_OF_DAY): name, first hour, end hour
const PARTS = [["night", 0, 5], ["morning", 5, 10], ["day", 10, 17], ["evening", 17, 21], ["late", 21, 24]];

function dayStrip(part) {
  // a 24-hour bar with the routine's part of the day lit: when in the day it belongs
  const strip = el("div", { class: "daystrip", role: "img", "aria-label": `${part}` });
  for (const [name, from, to] of PARTS) {
    const s = el("span", { class: name === part ? "lit" : "", text: name === part ? `${from}–${to} h` : "" });
    s.style.flex = `${to - from}`;
    strip.append(s);
  }
  return strip;
}

export default class RoutinesView {
  constructor(hub, root) {
    this.hub = hub; this.root = root;
    this.next = el("div", { class: "cards", id: "predictions" });
    this.learned = el("div", { id: "routines" });
    this.note = el("p", { class: "small", role: "status" });
    root.append(el("h1", { text: "What comes next" }), this.note, this.next,
      el("h1", { text: "Routines learned" }), this.learned);
  }

  async show() {
    const [pred, routines] = await Promise.all([
      this.hub.rest("/api/hearthmind/predictions?k=8").catch((e) => ({ predictions: [], summary: e.message })),
      this.hub.rest("/api/hearthmind/agent/routines").catch(() => null),
    ]);
    this.note.textContent = pred.model ? (pred.summary || "") :
      `Still learning (${pred.history ?? 0} events so far): predictions appear once the model has fitted.`;
    this.next.replaceChildren(...pred.predictions.map((p) => el("article", { class: "card" },
      el("h3", { text: `${p.name} · ${Math.round(p.probability * 100)}%` }),
      el("p", { class: "small", text: p.expected_time ? `around ${when(p.expected_time, true)}` : "" }),
      el("p", { text: p.evidence || "" }))));
    if (routines === null) { this.learned.replaceChildren(el("p", { text: "The agent is not set up on this hub." })); return; }
    if (!routines.length) { this.learned.replaceChildren(el("p", { text: "No routine learned yet." })); return; }
    const byPerson = new Map();
    for (const r of routines) {
      const who = personName(r.person) || "anyone";
      if (!byPerson.has(who)) byPerson.set(who, []);
      byPerson.get(who).push(r);
    }
    this.learned.replaceChildren(...[...byPerson].map(([who, list]) => el("section", {},
      el("h2", { text: who }),
      el("div", { class: "cards" }, ...list.map((r) => {
        const ev = r.evidence || {};
        const counts = Object.entries(ev.counts || {}).map(([k, v]) => `${k} ${v}`).join(", ");
        return el("article", { class: "card", "data-routine": r.routine_id },
          el("h3", { text: r.sentence }),
          dayStrip(r.part_of_day),
          el("p", { class: "small", text: `level ${r.level}` + (ev.hit_rate != null ? ` · came true ${Math.round(ev.hit_rate * 100)}% of recent times` : "")
            + (counts ? ` · ${counts}` : "") + (ev.reverts ? ` · undone ${ev.reverts}×` : "") }));
      })))));
  }
}
