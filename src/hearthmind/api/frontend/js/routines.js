// What the hub learned and expects: its predictions of what people will do next (probability,
// expected time, the model's reason in words); how well its confidence matches what happens
// (the calibration plot `hearthmind eval` draws, on the home's own recent guesses, with the
// Brier score); and the routines the agent keeps, per person, as sentences with their
// evidence and a week map of when each happened (weekday x hour, from the recorded history).
import { el, when, personName } from "./store.js";
import { loadUplot, widthOf } from "./plot.js";

// the agent's parts of the day (agent/units.py PARTS_OF_DAY): name, first hour, end hour
const PARTS = { night: [0, 5], morning: [5, 10], day: [10, 17], evening: [17, 21], late: [21, 24] };
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function weekMap(routine, part) {
  // 7 rows (Monday first) x 24 hours; a cell's shade is its share of the busiest cell; the
  // routine's part of the day is outlined
  const counts = routine ? routine.counts : DAYS.map(() => new Array(24).fill(0));
  const top = Math.max(1, ...counts.flat());
  const [from, to] = PARTS[part] || [-1, -1];
  let best = null;
  const cells = [];
  cells.push(el("span", { class: "wm-corner" }));
  for (let h = 0; h < 24; h++) cells.push(el("span", { class: "wm-hour", text: h % 6 === 0 ? `${h}` : "" }));
  counts.forEach((row, d) => {
    cells.push(el("span", { class: "wm-day", text: DAYS[d] }));
    row.forEach((n, h) => {
      const label = `${DAYS[d]} ${String(h).padStart(2, "0")}:00–${String(h + 1).padStart(2, "0")}:00: ${n}×`;
      const c = el("span", { class: "wm-cell" + (h >= from && h < to ? " wm-part" : ""), title: label,
        "data-day": d, "data-hour": h, "data-count": n });
      if (n) c.style.background = `rgb(179 92 0 / ${0.15 + 0.85 * (n / top)})`;
      cells.push(c);
      if (n && (!best || n > best[0])) best = [n, d, h];
    });
  });
  const total = routine ? routine.total : 0;
  const said = best ? `${total} times; most often ${DAYS[best[1]]} around ${best[2]}:00 (${best[0]}×)` : "not seen in the recorded weeks";
  return el("div", { class: "weekmap", role: "img", "aria-label": `When it happened over the week: ${said}`,
    "data-total": total }, ...cells);
}

export default class RoutinesView {
  constructor(hub, root) {
    this.hub = hub; this.root = root; this.calPlot = null;
    this.next = el("div", { class: "cards", id: "predictions" });
    this.learned = el("div", { id: "routines" });
    this.note = el("p", { class: "small", role: "status" });
    this.calChart = el("div", { class: "chart calchart", id: "calibration-chart" });
    this.calText = el("div", { class: "calside", id: "calibration-brier" });
    this.weekNote = el("p", { class: "small", id: "week-note" });
    root.append(el("h1", { text: "What comes next" }), this.note, this.next,
      el("h1", { text: "How sure, and how right", id: "calibration-heading" }),
      el("div", { class: "calibration" }, this.calChart, this.calText),
      el("h1", { text: "Routines learned" }), this.weekNote, this.learned);
  }

  async show() {
    const [pred, routines, cal, week] = await Promise.all([
      this.hub.rest("/api/hearthmind/predictions?k=8").catch((e) => ({ predictions: [], summary: e.message })),
      this.hub.rest("/api/hearthmind/agent/routines").catch(() => null),
      this.hub.rest("/api/hearthmind/routines/calibration").catch(() => null),
      this.hub.rest("/api/hearthmind/routines/week?days=28").catch(() => null),
    ]);
    this.note.textContent = pred.model ? (pred.summary || "") :
      `Still learning (${pred.history ?? 0} events so far): predictions appear once the model has fitted.`;
    this.next.replaceChildren(...pred.predictions.map((p) => el("article", { class: "card" },
      el("h3", { text: `${p.name} · ${Math.round(p.probability * 100)}%` }),
      el("p", { class: "small", text: p.expected_time ? `around ${when(p.expected_time, true)}` : "" }),
      el("p", { text: p.evidence || "" }))));
    await this.calibration(cal);
    this.routines(routines, week);
  }

  async calibration(cal) {
    if (this.calPlot) { this.calPlot.destroy(); this.calPlot = null; }
    if (!cal || !cal.n) {
      this.calChart.hidden = true;
      this.calText.replaceChildren(el("p", { text: cal ? "No guess scored yet: each guess is scored when the next event comes, once the model has fitted."
        : "Routines are not learned on this hub." }));
      return;
    }
    this.calChart.hidden = false;
    const pts = cal.reliability;
    const xs = [0, ...pts.map((p) => p.predicted), 1];
    const data = [xs, xs.slice(), [null, ...pts.map((p) => p.observed), null]];
    const counts = [null, ...pts.map((p) => p.count), null];
    const uPlot = await loadUplot();
    const labels = (u) => {
      // each bin's count beside its point: how much the point can be trusted
      const ctx = u.ctx; const r = devicePixelRatio || 1;
      ctx.save(); ctx.font = `${11 * r}px system-ui,sans-serif`; ctx.fillStyle = "#6b645c";
      for (let i = 1; i < xs.length - 1; i++) {
        ctx.fillText(`${counts[i]}`, u.valToPos(xs[i], "x", true) + 6 * r, u.valToPos(data[2][i], "y", true) - 6 * r);
      }
      ctx.restore();
    };
    const size = Math.min(widthOf(this.calChart), 420);
    this.calPlot = new uPlot({
      width: size, height: Math.round(size * 0.85),
      scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
      axes: [{ label: "predicted probability of the top guess" }, { label: "observed share right" }],
      series: [{ label: "predicted" },
        { label: "perfectly calibrated", stroke: "#9a948c", dash: [6, 4], width: 1, points: { show: false } },
        { label: "this home", stroke: "#b35c00", width: 2, spanGaps: true, points: { show: true, size: 8, fill: "#b35c00" } }],
      legend: { live: false },  // the series named, not the value under the cursor
      hooks: { draw: [labels] },
    }, data, this.calChart);
    const pct = (x) => `${Math.round(x * 100)}%`;
    this.calText.replaceChildren(
      el("p", { class: "big", text: `Brier score ${cal.brier_top1.toFixed(3)}` }),
      el("p", { class: "small", text: `of the top guess over the last ${cal.n} guesses (of ${cal.total} since the hub started; ${cal.model || "the model"}): 0 is perfect, 0.25 is always saying 50%. Top guess right ${pct(cal.top1)}, in the top three ${pct(cal.top3)}; expected calibration error ${cal.ece.toFixed(3)}.` }),
      el("table", { class: "caltable", id: "calibration-table" },
        el("thead", {}, el("tr", {}, el("th", { text: "said" }), el("th", { text: "came true" }), el("th", { text: "guesses" }))),
        el("tbody", {}, ...pts.map((p) => el("tr", {},
          el("td", { text: pct(p.predicted) }), el("td", { text: pct(p.observed) }), el("td", { text: `${p.count}` }))))));
  }

  routines(routines, week) {
    const weeks = new Map((week ? week.routines : []).map((w) => [w.routine_id, w]));
    this.weekNote.textContent = week ? `Week maps: when each was done, by weekday and hour, ${when(week.start, true)} to ${when(week.end, true)} (the routine's part of the day outlined).` : "";
    if (routines === null) {
      // without the agent: the actions people do most often, with their week maps
      if (!weeks.size) { this.learned.replaceChildren(el("p", { text: "The agent is not set up on this hub." })); return; }
      routines = [...weeks.values()].map((w) => ({ routine_id: w.routine_id, sentence: w.sentence, part_of_day: null, person: null, level: null }));
    }
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
          weekMap(weeks.get(r.routine_id), r.part_of_day),
          el("p", { class: "small", text: (r.level ? `level ${r.level}` : "") + (ev.hit_rate != null ? ` · came true ${Math.round(ev.hit_rate * 100)}% of recent times` : "")
            + (counts ? ` · ${counts}` : "") + (ev.reverts ? ` · undone ${ev.reverts}×` : "") }));
      })))));
  }
}
