// The agent: what it asks (accept, decline, never), what it did (undo), each routine's level,
// and the off switch. Each answer goes through the agent's API with this token's Context, so
// the agent learns from it as from a spoken answer; its events refresh the page.
import { el, when, personName, store } from "./store.js";

const LEVELS = ["off", "observe", "suggest", "act"];

export default class AgentView {
  constructor(hub, root) {
    this.hub = hub; this.root = root;
    this.head = el("div", { class: "toolbar" });
    this.inbox = el("div", { class: "cards", id: "suggestions" });
    this.actions = el("div", { class: "cards", id: "actions" });
    this.levels = el("div", { class: "cards", id: "levels" });
    root.append(el("h1", { text: "The agent" }), this.head,
      el("h2", { text: "It asks" }), this.inbox,
      el("h2", { text: "It did" }), this.actions,
      el("h2", { text: "How much it may do, per routine" }), this.levels);
    this.subscribed = false;
  }

  async act(fn) {
    try { await fn(); } catch (e) { document.dispatchEvent(new CustomEvent("hm-error", { detail: e.message })); }
    await this.show();
  }

  async show() {
    if (!this.subscribed) {
      this.subscribed = true;
      for (const ev of ["agent_suggestion", "agent_action"]) {
        this.hub.subscribe(ev, () => { if (!this.root.hidden) this.show(); }).catch(() => {});
      }
    }
    let status;
    try { status = await this.hub.rest("/api/hearthmind/agent"); } catch (e) {
      this.head.replaceChildren(el("p", { text: `The agent is not available: ${e.message}` })); return;
    }
    const [suggestions, actions, routines] = await Promise.all([
      this.hub.rest("/api/hearthmind/agent/suggestions"), this.hub.rest("/api/hearthmind/agent/actions?limit=30"),
      this.hub.rest("/api/hearthmind/agent/routines")]);
    const sw = el("button", { "aria-pressed": status.enabled ? "true" : "false",
      text: status.enabled ? "Agent on" : "Agent off", "aria-label": "The agent's off switch",
      onclick: () => this.act(() => this.hub.rest(`/api/hearthmind/agent/${status.enabled ? "off" : "on"}`, { method: "POST", body: {} })) });
    this.head.replaceChildren(sw, el("span", { class: "small",
      text: `${status.routines} routines · ${status.open_suggestions} open questions · undo within ${status.undo_window_minutes} min` }));
    const answer = (s, a) => () => this.act(() => this.hub.rest(
      `/api/hearthmind/agent/suggestions/${encodeURIComponent(s.suggestion_id)}/answer`, { method: "POST", body: { answer: a } }));
    this.inbox.replaceChildren(...(suggestions.length ? suggestions.map((s) => el("article", { class: "card", "data-suggestion": s.suggestion_id },
      el("h3", { text: s.explanation || `${s.service} ${s.entity_id}` }),
      el("p", { class: "small", text: `for ${personName(s.person) || "the home"} · ${Math.round((s.probability || 0) * 100)}%` }),
      el("div", { class: "toolbar" }, el("button", { class: "primary", text: "Yes, do it", onclick: answer(s, "yes") }),
        el("button", { text: "No", onclick: answer(s, "no") }), el("button", { text: "Not now", onclick: answer(s, "not_now") }),
        el("button", { text: "Never", onclick: answer(s, "never") }))))
      : [el("p", { class: "small", text: "Nothing to answer." })]));
    this.actions.replaceChildren(...(actions.length ? actions.map((a) => el("article", { class: "card", "data-action": a.action_id },
      el("h3", { text: a.explanation || `${a.service} ${a.entity_id}` }),
      el("p", { class: "small", text: `${when(new Date(a.time * 1000).toISOString(), true)} · ${a.status}` }),
      a.status === "done" || a.status === "acted" || !a.closed ? el("button", { text: "Undo",
        onclick: () => this.act(() => this.hub.rest(`/api/hearthmind/agent/actions/${encodeURIComponent(a.action_id)}/undo`, { method: "POST", body: {} })) }) : null))
      : [el("p", { class: "small", text: "Nothing done yet." })]));
    this.levels.replaceChildren(...routines.map((r) => el("article", { class: "card" },
      el("h3", { text: r.sentence }),
      el("label", { class: "small" }, "level ", el("select", { "aria-label": `Level of ${r.sentence}`,
        onchange: (e) => this.act(() => this.hub.rest(`/api/hearthmind/agent/routines/${encodeURIComponent(r.routine_id)}/level`,
          { method: "POST", body: { level: e.target.value } })) },
        ...LEVELS.map((l) => { const o = el("option", { value: l, text: l }); if (l === r.level) o.selected = true; return o; }))),
      r.safety ? el("p", { class: "small", text: `${r.safety}: it always asks first` }) : null,
      el("button", { text: "Never do this", onclick: () => this.act(() => this.hub.rest(
        `/api/hearthmind/agent/routines/${encodeURIComponent(r.routine_id)}/forbid`, { method: "POST", body: {} })) }))));
    void store;
  }
}
