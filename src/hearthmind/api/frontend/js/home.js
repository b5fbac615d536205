// The home by area, with no configuration: every entity under its area (from the entity and
// device registries), people first, a control per domain. Live changes arrive in batches, one
// per animation frame, and touch only the rows they name.
import { store, el, friendly, areaName, people } from "./store.js";
import { makeControl, stateText } from "./controls.js";


function hiddenEntity(s) {
  return s.entity_id.startsWith("person.") || (s.attributes && s.attributes.person);
}

export class HomeView {
  constructor(hub, root) {
    this.hub = hub; this.root = root; this.rows = new Map(); this.built = false;
  }

  render() {
    const t0 = performance.now();
    this.rows.clear();
    const byArea = new Map();
    for (const s of store.states.values()) {
      if (hiddenEntity(s)) continue;
      const area = store.areaOf.get(s.entity_id) || "";
      if (!byArea.has(area)) byArea.set(area, []);
      byArea.get(area).push(s);
    }
    const order = store.areas.map((a) => a.area_id).filter((a) => byArea.has(a));
    if (byArea.has("")) order.push("");
    this.peopleList = el("ul", { class: "people", "aria-label": "Who is home" });
    this.renderPeople();
    const grid = el("div", { class: "areas" });
    for (const area of order) {
      const list = byArea.get(area).sort((x, y) => friendly(x.entity_id).localeCompare(friendly(y.entity_id)));
      const box = el("section", { class: "area", "data-area": area, "aria-label": area ? areaName(area) : "Elsewhere" });
      const who = el("span", { class: "who" });
      box.append(el("h2", {}, area ? areaName(area) : "Elsewhere", " ", who));
      for (const s of list) box.append(this.row(s));
      grid.append(box);
    }
    this.root.replaceChildren(this.peopleList, grid);
    this.built = true;
    this.buildMs = performance.now() - t0;
  }

  row(s) {
    const id = s.entity_id;
    const name = el("button", { class: "link", text: friendly(id), title: `${id}: history`,
      onclick: () => { location.hash = `#/history?e=${encodeURIComponent(id)}`; } });
    const st = el("span", { class: "st" });
    const ctl = makeControl(this.hub, s);
    const row = el("div", { class: "ent", "data-eid": id }, el("span", { class: "name" }, name), st, ctl.node);
    const rec = { row, st, ctl };
    this.rows.set(id, rec);
    this.show(rec, s);
    return row;
  }

  show(rec, s) {
    rec.st.textContent = stateText(s);
    rec.row.classList.toggle("on", s.state === "on" || s.state === "open" || s.state === "unlocked" || s.state === "heat");
    rec.ctl.set(s);
  }

  renderPeople() {
    const items = people().map((p) => {
      const room = p.attributes.room;
      const away = p.state !== "home";
      const where = away ? (p.state === "not_home" ? "away" : p.state) : room ? `in ${areaName(room)}` : "home";
      return el("li", { class: away ? "away" : "", "data-person": p.entity_id },
        el("strong", { text: p.attributes.friendly_name || p.entity_id }), ` ${where}`);
    });
    this.peopleList.replaceChildren(...items);
    // each room says who is in it
    const inRoom = new Map();
    for (const p of people()) {
      if (p.state === "home" && p.attributes.room) {
        const names = inRoom.get(p.attributes.room) || [];
        names.push(p.attributes.friendly_name || p.entity_id);
        inRoom.set(p.attributes.room, names);
      }
    }
    for (const box of this.root.querySelectorAll("section.area")) {
      const names = inRoom.get(box.dataset.area);
      const who = box.querySelector(".who");
      if (who) who.textContent = names ? `· ${names.join(", ")}` : "";
    }
  }

  update(changed) {
    if (!this.built) return;
    let peopleChanged = false;
    for (const id of changed) {
      const s = store.states.get(id);
      const rec = this.rows.get(id);
      if (id.startsWith("person.")) { peopleChanged = true; continue; }
      if (!s || !rec) {
        if (s && !hiddenEntity(s)) { this.render(); return; }  // a new entity: lay out again
        if (rec) { rec.row.remove(); this.rows.delete(id); }
        continue;
      }
      this.show(rec, s);
    }
    if (peopleChanged) this.renderPeople();
  }
}
