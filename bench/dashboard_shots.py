"""Screenshots of each dashboard page at a phone's and a desktop's width, into docs/, from a
running hub (the demo's, so the history has hours in it):

    .venv/bin/python bench/dashboard_shots.py --url http://127.0.0.1:8123 --token-file CFG/.storage/demo_token
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cdp import Browser

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = (
    "home",
    "history?e=sensor.living_room_temperature,sensor.outdoor_temperature,light.kitchen,cover.living_room",
    "logbook",
    "routines",
    "energy",
    "agent",
)
SIZES = ((390, 844, "phone"), (1280, 900, "desktop"))

# pages whose lower part gets a shot of its own: the element to scroll to, the file's suffix
BELOW = {"routines": ("calibration-heading", "learned")}


async def shoot(url: str, token: str, docs: Path = DOCS) -> list[Path]:
    written = []
    for width, height, label in SIZES:
        b = await Browser().start(width, height)
        try:
            await b.viewport(width, height, mobile=label == "phone")
            await b.goto(url + "/")
            await b.wait_for("!document.getElementById('login').hidden", 30, "the login form")
            await b.js(
                f"document.getElementById('token').value = {json.dumps(token)};"
                "document.getElementById('login').requestSubmit()"
            )
            await b.wait_for("window.hearthmind.timings.home_interactive_ms", 30, "the home")
            for page in PAGES:
                name = page.split("?")[0]
                await b.js("window.hearthmind.timings.history_ms = 0")
                await b.js(f"location.hash = {json.dumps('#/' + page)}")
                await b.wait_for(f"!document.getElementById('page-{name}').hidden", 10, name)
                if name == "history":
                    await b.wait_for("window.hearthmind.timings.history_ms", 30, "the graph")
                elif name != "home":
                    # the page's show() has drawn what it read (main.js route)
                    await b.wait_for(f"window.hearthmind.shown === '{name}'", 30, name)
                await b.js("window.scrollTo(0, 0)")
                path = docs / f"dashboard-{name}-{label}.png"
                await b.screenshot(path)
                written.append(path)
                if name in BELOW:  # what lies below the first screen, its own shot
                    element_id, suffix = BELOW[name]
                    await b.wait_for(f"!!document.getElementById('{element_id}')", 10, element_id)
                    await b.js(f"document.getElementById('{element_id}').scrollIntoView()")
                    path = docs / f"dashboard-{name}-{suffix}-{label}.png"
                    await b.screenshot(path)
                    written.append(path)
        finally:
            await b.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    args = parser.parse_args()
    for path in asyncio.run(shoot(args.url.rstrip("/"), args.token_file.read_text().strip())):
        print(path)


if __name__ == "__main__":
    main()
