"""The agent benchmark's weekly curves (PNG, one per home) and its docs/BENCHMARKS.md section."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

CURVES = (
    ("takeover_rate", "takeover rate", True),
    ("wrong_action_rate", "wrong-action rate", False),  # a few %: its own scale
    ("false_alarm_rate", "false-alarm rate", True),
    ("questions_per_day", "questions / person / day", False),
)
TARGETS = {
    "takeover_rate": 0.40,
    "wrong_action_rate": 0.02,
    "questions_per_day": 3.0,
}


def plot_weeks(
    home: str, weeks: Mapping[str, Mapping[int, Mapping[str, float]]], path: Path
) -> None:
    """`weeks[policy][week] = figures`: one panel per figure, one line per policy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(CURVES), figsize=(4.0 * len(CURVES), 3.2))
    for ax, (key, label, share) in zip(axes, CURVES, strict=True):
        for policy, by_week in weeks.items():
            xs = sorted(by_week)
            ax.plot([w + 1 for w in xs], [by_week[w][key] for w in xs], marker="o", label=policy)
        if key in TARGETS:
            ax.axhline(TARGETS[key], color="grey", linestyle=":", linewidth=1)
        ax.axvspan(0.5, 2.5, color="0.93")  # weeks 1-2: learning, left out of the figures
        ax.set_title(label)
        ax.set_xlabel("week")
        if share:
            ax.set_ylim(0, 1)
        else:
            ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{home}: the agent week by week (grey: weeks left out of the figures)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


_HEADER = (
    "| home | policy | takeover | wrong actions | false alarms | questions / person / day "
    "| interactions saved / day | unconfirmed safety actions | agent actions | suggestions "
    "| changed back by hand in 5 min (all; left on) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
)


def _rows(details: Mapping[str, Any]) -> list[str]:
    rows = []
    for home, by_policy in details["homes"].items():
        for policy, d in by_policy.items():
            f, c = d["figures"], d["counts"]
            back = d.get("changed_back")
            moved = "" if back is None else (
                f"{_pct(back['all']['rate'])} ({back['all']['changed_back']}/"
                f"{back['all']['actions']}); {back['left_on']['changed_back']}/"
                f"{back['left_on']['actions']}"
            )  # fmt: skip
            rows.append(
                f"| {home} | {policy} | {_pct(f['takeover_rate'])} ({c['taken']}/{c['needed']}) "
                f"| {_pct(f['wrong_action_rate'])} ({c['reverted']}/{c['actions']}) "
                f"| {_pct(f['false_alarm_rate'])} "
                f"| {f['questions_per_day']:.2f} | {f['interactions_saved_per_day']:.1f} "
                f"| {int(f['unsafe_actions'])} | {c['actions']} | {c['suggestions']} | {moved} |"
            )
    return rows


def section(
    command: str,
    figures: Mapping[str, Any],
    details: Mapping[str, Any],
    plots: Mapping[str, str],
    meta: Mapping[str, Any],
    sensitivity: Mapping[str, Any] | None = None,
) -> str:
    """The Markdown of the section: what was run, the table, the replay, the plots;
    `sensitivity`: the details of the same run with residents who never rely (--no-reliance)."""
    lines = [
        f"Command: `{command}` ({meta['when']}, {meta['wall_minutes']:.0f} min wall clock; "
        f"code: {meta.get('code', 'not recorded')}). "
        f"{meta['days']} simulated days per home from Monday {meta['start']}, residents' seed "
        f"{meta['seed']} (the reported seed: the agent's settings were chosen on development "
        "runs with other seeds), the agent learning from scratch; every figure over "
        f"{'weeks 3 on' if meta.get('first_week', 2) == 2 else 'all days (a quick run)'}. "
        f"Models: ours and threshold use `{meta['best']}` (the best routines model, chosen on "
        "validation by bench/routines.py), markov_ladder the first-order Markov chain.",
        "",
        *_HEADER,
        *_rows(details),
    ]
    if sensitivity is not None:
        lines += [
            "",
            "The same homes, seed and policies with residents who never rely on the hub "
            "(`--no-reliance`: every resident's `reliance_max` 0; command: "
            f"`{sensitivity['meta'].get('command', '(unknown)')}`, "
            f"{sensitivity['meta'].get('when', '')}):",
            "",
            *_HEADER,
            *_rows(sensitivity),
        ]
    lines += [
        "",
        "The residents (src/hearthmind/integrations/simulator: residents.py, answers.py) keep "
        "a change someone was about to make (a planned want of that entity and state within "
        "20 minutes; 3 for switching off the room they are in) and find it done; they undo "
        "what they did not want when they see it, after seconds to minutes (undo_rate 0.4 to "
        "0.95 each); they answer a question yes when they were about to do it, else no, not "
        "now or never, ignore 10 % and answer against their plans 5 %; the family's Tom "
        "dislikes automation (undoes 95 % of unwanted and 30 % even of wanted changes in "
        "sight, declines 40 % of what he wanted, ignores 20 %, says never in 30 % of his "
        "declines). They come to rely on the hub switching off behind them "
        "(integrations/simulator/reliance.py): per light and TV, a reliance that grows by 0.25 "
        "(up to 0.8; 0 for Tom) each time they find the "
        "hub switched off one they had left on, and halves each time one they left to it is "
        "still on when they notice, 5 to 15 minutes after leaving (then they switch it off by "
        "hand); these values were set before any run, not tuned. A switch-off left to the hub "
        "is one want, counted when they notice: taken over when the hub did it. Their ground "
        "truth is written beside each run's database (`<db>.intentions.jsonl`, "
        "`<db>.answers.jsonl`).",
        "",
        "Definitions (bench/agent_metrics.py): takeover = routine wants the hub fulfilled "
        "before the resident had to (their intention found it done, `satisfied_by` agent) over "
        "routine wants that needed doing (done by hand or by the hub; undos left out); wrong "
        "actions = agent actions a resident undid (the residents' ground truth: an undo names "
        "the action's context) over agent actions; false alarms = suggestions not answered yes "
        "over suggestions; questions per person per day = suggestions / residents / days; "
        "interactions saved per day = takeovers minus answers sent minus undos; unconfirmed "
        "safety actions = agent actions on locks, garage and entrance covers, ovens, cooktops, "
        "alarms, water valves that neither cite a suggestion a resident said yes to nor follow "
        "a yes about that entity within 15 minutes; changed back = agent actions whose entity "
        "any resident set to another state by hand within 5 minutes, all of them and those of "
        "the left-on routines (agent/left_on.py). For a left-on switch-off that is someone back "
        "in the room switching the light on again, which the residents' undos do not count; "
        "for all actions it also counts use, not only undoing (a light the hub switched on as "
        "someone came in, switched off by them as they left three minutes later), so it is an "
        "upper bound, and it is lower where residents rely on the hub (they no longer switch "
        "off by hand).",
        "",
        "Replay on real logs (../shared/data/casas; the agent learns as the log goes, devices "
        "are shadows; an action is right when the person did it within 10 minutes):",
        "",
        "| log | days | manual actions | agent actions | precision | coverage |",
        "|---|---|---|---|---|---|",
    ]
    for log, r in figures["replay"].items():
        d = details["replay"][log]
        lines.append(
            f"| {log} | {d['days']} | {d['manual']} | {d['acted']} | {r['precision']:.3f} "
            f"| {_pct(r['coverage'])} |"
        )
    for log in details.get("replay_without_actions", []):
        lines.append(f"| {log} | | 0 (sensors only: nothing to act on) | | | |")
    lines += ["", *[f"![{home}]({path})" for home, path in plots.items()]]
    return "\n".join(lines)
