"""CLI commands: voice (`say` and `listen`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

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
        raise typer.Exit(asyncio.run(_run(config, text, None, out, user, area, home)))

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
        raise typer.Exit(asyncio.run(_run(config, None, audio, out, user, area, home)))
