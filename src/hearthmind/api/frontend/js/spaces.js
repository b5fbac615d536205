// Spaces and profiles: this hub's spaces by kind (who stays where, or is expected), the
// profiles applied here with their explanations and an undo, and the people whose profile
// lives here: what it says (where each value was learned, how sure), what each kind of space
// may have, export as JSON, delete everywhere. Everything through /api/hearthmind/{spaces,profiles}.
import { el } from "./store.js";

export default class SpacesView {
  constructor(hub, root) {
    this.hub = hub; this.root = root;
    this.spaces = el("div", { class: "cards", id: "spaces" });
    this.applied = el("div", { class: "cards", id: "applications" });
    this.people = el("div", { class: "cards", id: "profiles" });
    root.append(el("h1", { text: "Spaces and profiles" }),
      el("h2", { text: "Spaces" }), this.spaces,
      el("h2", { text: "Profiles applied here" }), this.applied,
      el("h2", { text: "Profiles kept here" }), this.people);
  }

  async act(fn) {
    try { await fn(); } catch (e) { document.dispatchEvent(new CustomEvent("hm-error", { detail: e.message })); }
    await this.show();
  }

  async show() {
    let spaces;
    try { spaces = await this.hub.rest("/api/hearthmind/spaces"); } catch (e) {
      this.spaces.replaceChildren(el("p", { text: `Spaces are not available: ${e.message}` })); return;
    }
    const [apps, people] = await Promise.all([
      this.hub.rest("/api/hearthmind/spaces/applications"), this.hub.rest("/api/hearthmind/profiles")]);
    this.spaces.replaceChildren(...spaces.map((s) => el("article", { class: "card", "data-space": s.space_id },
      el("h3", { text: `${s.name} · ${s.kind.replace("_", " ")}` }),
      el("p", { class: "small", text: `${s.areas.length} areas · ${s.areas.filter((a) => a.stay).length} with someone staying or expected` }),
      ...s.areas.filter((a) => a.stay).map((a) => el("p", { class: "small",
        text: `${a.name}: ${a.stay.person} ${a.stay.present ? "here" : "expected"}${a.stay.has_profile ? "" : " (no profile: defaults)"}` })))));
    this.applied.replaceChildren(...(apps.length ? apps.slice(0, 30).map((a) => el("article", { class: "card", "data-application": a.action_id },
      el("h3", { text: a.explanation }),
      el("p", { class: "small", text: `${new Date(a.time * 1000).toLocaleString()} · ${a.status} · ${Math.round(a.taken_share * 100)}% taken` }),
      a.status === "applied" ? el("button", { text: "Undo", onclick: () => this.act(() => this.hub.rest(
        `/api/hearthmind/spaces/applications/${encodeURIComponent(a.action_id)}/undo`, { method: "POST", body: {} })) }) : null,
      a.status === "suggested" ? el("div", { class: "toolbar" }, ...["accept", "decline"].map((w) => el("button", {
        class: w === "accept" ? "primary" : undefined, text: w === "accept" ? "Yes, set it" : "No",
        onclick: () => this.act(() => this.hub.rest(
          `/api/hearthmind/spaces/applications/${encodeURIComponent(a.action_id)}/${w}`, { method: "POST", body: {} })) }))) : null))
      : [el("p", { class: "small", text: "No profile applied here yet." })]));
    const cards = [];
    for (const p of people) {
      const full = await this.hub.rest(`/api/hearthmind/profiles/${encodeURIComponent(p.person_id)}`);
      const rows = [];
      for (const [ctx, acts] of Object.entries(full.preferences)) {
        for (const [act, keys] of Object.entries(acts)) {
          for (const [key, v] of Object.entries(keys)) {
            rows.push(el("li", { text: `${ctx} · ${act} · ${key}: ${v.value} (${v.source}, sure ${v.confidence})` }));
          }
        }
      }
      const shared = Object.entries(full.consent).map(([k, c]) => `${k.replace("_", " ")}: ${c.join(", ") || "nothing"}`);
      const exportLink = el("button", { text: "Export JSON", onclick: () => {
        const blob = new Blob([JSON.stringify(full, null, 1)], { type: "application/json" });
        const a = el("a", { href: URL.createObjectURL(blob), download: `profile-${p.person_id}.json` });
        a.click(); URL.revokeObjectURL(a.href);
      } });
      const del = el("button", { text: "Delete everywhere", onclick: () => {
        if (confirm(`Delete ${p.name}'s profile here and in every hub it went to?`)) {
          this.act(() => this.hub.rest(`/api/hearthmind/profiles/${encodeURIComponent(p.person_id)}`, { method: "DELETE" }));
        }
      } });
      cards.push(el("article", { class: "card", "data-profile": p.person_id },
        el("h3", { text: p.name }), el("p", { class: "small", text: `shares with ${shared.join(" · ")}` }),
        el("ul", { class: "small" }, ...rows), el("div", { class: "toolbar" }, exportLink, del)));
    }
    this.people.replaceChildren(...(cards.length ? cards : [el("p", { class: "small", text: "No profile lives in this hub." })]));
  }
}
