"""CLI commands: voice (`say` and `listen`). They talk to the folder's running hub (its voice
API) when one answers, so what they turn on stays on and what they ask is about the home as it
is; with none running (or with --home, a simulated home of their own) a one-off hub answers,
and they say so."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from hearthmind.core import SetupOptions

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console

# what a one-shot command needs: the records and the devices (no API, no automations)
ONE_SHOT_COMPONENTS = ("recorder", "mqtt", "simulator")
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Save the spoken answer as a WAV file.")
]
UserOption = Annotated[
    str | None, typer.Option("--user", "-u", help="Who speaks (a person's id or user id).")
]
AreaOption = Annotated[str | None, typer.Option("--area", help="The room the speaker is in.")]
HomeOption = Annotated[
    str | None, typer.Option("--home", help="Run a simulated home (family, couple, single, path).")
]


async def _run(
    config: Path,
    text: str | None,
    audio: Path | None,
    out: Path | None,
    user: str | None,
    area: str | None,
    home: str | None,
) -> int:
    from hearthmind.bootstrap import async_setup_hub
    from hearthmind.voice import VoiceConfig, build_pipeline, load_audio
    from hearthmind.voice.audio import AudioError

    clip = None
    if audio is not None:  # bad audio is refused before anything starts
        try:
            clip = await asyncio.to_thread(load_audio, audio, max_seconds=600.0)
        except AudioError as err:
            err_console.print(f"[red]{err}[/red]")
            return 2
    hub = await async_setup_hub(
        config_dir(config), SetupOptions(home=home), components=list(ONE_SHOT_COMPONENTS)
    )
    pipeline = None
    try:
        settings = (
            hub.config.section("voice", VoiceConfig) if "voice" in hub.config.raw else VoiceConfig()
        )
        pipeline = await asyncio.to_thread(
            build_pipeline, hub, settings, stt=audio is not None, tts=out is not None
        )
        area = area or settings.area
        if clip is not None:
            result = await pipeline.handle_audio(
                clip, user_id=user, area=area, speak=out is not None
            )
            console.print(f"[dim]heard:[/dim] {result.heard or '(nothing)'}")
        else:
            result = await pipeline.handle_text(
                text or "", user_id=user, area=area, speak=out is not None
            )
        if result.understood_as:
            console.print(f"[dim]understood as:[/dim] {result.understood_as}")
        if result.match is not None:
            console.print(f"[dim]intent:[/dim] {result.match.intent} {result.match.slots}")
        for action in result.answer.actions:
            console.print(
                f"[dim]did:[/dim] {action.domain}.{action.service} {', '.join(action.entity_ids)} "
                f"{action.data or ''}"
            )
        console.print(result.speech)
        if out is not None and result.audio is not None:
            await asyncio.to_thread(out.write_bytes, result.audio.to_wav())
            console.print(f"[dim]answer saved to {out}[/dim]")
        return 0 if result.answer.handled else 1
    finally:
        if pipeline is not None:
            pipeline.close()
        await hub.async_stop()


def _print_answer(answer: dict[str, Any]) -> int:
    """The running hub's answer (the voice API's shape), as the one-off hub's is printed."""
    if answer.get("heard") is not None:
        console.print(f"[dim]heard:[/dim] {answer.get('heard') or '(nothing)'}")
    if answer.get("understood_as"):
        console.print(f"[dim]understood as:[/dim] {answer['understood_as']}")
    if answer.get("intent"):
        console.print(f"[dim]intent:[/dim] {answer['intent']}")
    for action in answer.get("actions") or []:
        console.print(
            f"[dim]did:[/dim] {action.get('domain')}.{action.get('service')} "
            f"{', '.join(action.get('entity_ids') or [])} {action.get('data') or ''}"
        )
    console.print(str(answer.get("speech", "")))
    return 0 if answer.get("handled") else 1


def _through_running_hub(
    config: Path,
    text: str | None,
    audio: Path | None,
    out: Path | None,
    user: str | None,
    area: str | None,
) -> int | None:
    """Ask the folder's running hub; None when no hub answers (the caller runs its own)."""
    import urllib.error
    from urllib.parse import urlencode

    from .hubclient import HubRequestError, find_running_hub

    try:
        hub = find_running_hub(config_dir(config))
    except HubRequestError as err:
        err_console.print(f"[red]error:[/red] {err}")
        return 1
    if hub is None:
        return None
    err_console.print(f"[dim]asking the running hub at {hub.url}[/dim]")
    try:
        if audio is not None:
            query = urlencode({k: v for k, v in (("user_id", user), ("area", area)) if v})
            answer = hub.request(
                "POST",
                "/api/hearthmind/voice/listen" + (f"?{query}" if query else ""),
                data=audio.read_bytes(),
            )
        else:
            body: dict[str, Any] = {"text": text or ""}
            body.update({k: v for k, v in (("user_id", user), ("area", area)) if v})
            answer = hub.post("/api/hearthmind/voice/say", body)
    except HubRequestError as err:
        err_console.print(f"[red]error:[/red] the hub refused it: {err}")
        return 2 if err.status == 400 else 1
    except (urllib.error.URLError, OSError) as err:
        err_console.print(f"[red]error:[/red] the hub at {hub.url} stopped answering: {err}")
        return 1
    if out is not None:
        err_console.print(
            "[yellow]--out:[/yellow] the running hub answers in text; no WAV written "
            "(stop the hub to have a one-off hub speak)"
        )
    return _print_answer(answer if isinstance(answer, dict) else {})


def _answer(
    config: Path,
    text: str | None,
    audio: Path | None,
    out: Path | None,
    user: str | None,
    area: str | None,
    home: str | None,
) -> int:
    code = _through_running_hub(config, text, audio, out, user, area)
    if code is not None:
        if home is not None:
            err_console.print(f"[dim]--home {home}: the running hub's own home answered[/dim]")
        return code
    if home is None:
        err_console.print(
            f"[dim]no running hub for {config_dir(config)}: a one-off hub answers from its "
            "configuration (start one with `hearthmind run` so changes stay made)[/dim]"
        )
    else:  # each call is a fresh home: say so, so "is it on?" after "turn it on" is no riddle
        err_console.print(
            f"[dim]no running hub for {config_dir(config)}: a one-off hub with a fresh "
            f"simulated home {home!r} answers (nothing it does is kept; `hearthmind demo "
            f"--home {home}` runs one that stays)[/dim]"
        )
    return asyncio.run(_run(config, text, audio, out, user, area, home))


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""

    @app.command()
    def say(
        text: Annotated[
            str, typer.Argument(help='What you say, e.g. "turn on the kitchen lights".')
        ],
        out: OutOption = None,
        user: UserOption = None,
        area: AreaOption = None,
        home: HomeOption = None,
        config: ConfigDir = DEFAULT_CONFIG,
    ) -> None:
        """Say something to the hub as text: it acts and answers (as speech with --out)."""
        raise typer.Exit(_answer(config, text, None, out, user, area, home))

    @app.command()
    def listen(
        audio: Annotated[Path, typer.Argument(help="A WAV (or FLAC) recording of a command.")],
        out: OutOption = None,
        user: UserOption = None,
        area: AreaOption = None,
        home: HomeOption = None,
        config: ConfigDir = DEFAULT_CONFIG,
    ) -> None:
        """Play a recorded command to the hub: it transcribes, acts and answers."""
        raise typer.Exit(_answer(config, None, audio, out, user, area, home))
