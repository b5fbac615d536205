"""CLI commands: connect (`hearthmind token create|list|revoke`): the API's long-lived tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console

token_app = typer.Typer(
    name="token",
    help="Long-lived access tokens for the HTTP and WebSocket API (stored hashed).",
    no_args_is_help=True,
)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", "-n", help="What the token is for.")],
    config: ConfigDir = DEFAULT_CONFIG,
    user: Annotated[
        str | None,
        typer.Option("--user", help="The user_id of changes made with it (default: the name)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a token of the same name.")
    ] = False,
    scope: Annotated[
        str,
        typer.Option(
            "--scope", help="admin (everything), read (look only) or voice (look, speak)."
        ),
    ] = "admin",
) -> None:
    """Create a token and print it, alone, on standard output (shown only this once)."""
    from hearthmind.api.tokens import TokenError, TokenStore
    from hearthmind.core import RealClock

    store = TokenStore(config_dir(config))
    try:
        token = store.create(name, RealClock().now(), user_id=user, replace=replace, scope=scope)
    except (TokenError, OSError) as err:
        err_console.print(f"[red]error:[/] {err}")
        raise typer.Exit(1) from err
    err_console.print(
        f"Token [bold]{name}[/] created in {store.path} (only its hash is kept; "
        "copy it now). Use it as 'Authorization: Bearer <token>'."
    )
    # the token alone, last, on stdout: `tok=$(hearthmind token create ... | tail -n 1)`
    typer.echo(token)


@token_app.command("list")
def token_list(config: ConfigDir = DEFAULT_CONFIG) -> None:
    """List tokens (names and ids; the tokens themselves are not stored)."""
    from rich.table import Table

    from hearthmind.api.tokens import TokenError, TokenStore

    store = TokenStore(config_dir(config))
    try:
        tokens = store.tokens()
    except TokenError as err:
        err_console.print(f"[red]error:[/] {err}")
        raise typer.Exit(1) from err
    if not tokens:
        err_console.print(f"no tokens in {store.path}")
        return
    table = Table("name", "id", "user", "scope", "created")
    for t in tokens:
        table.add_row(t.name, t.id, t.user_id, t.scope, t.created)
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    name_or_id: Annotated[str, typer.Argument(help="The token's name or id.")],
    config: ConfigDir = DEFAULT_CONFIG,
) -> None:
    """Revoke a token; a running hub refuses it from its next request on."""
    from hearthmind.api.tokens import TokenError, TokenStore

    store = TokenStore(config_dir(config))
    try:
        gone = store.revoke(name_or_id)
    except (TokenError, OSError) as err:
        err_console.print(f"[red]error:[/] {err}")
        raise typer.Exit(1) from err
    if not gone:
        err_console.print(f"[red]error:[/] no token named or with id {name_or_id!r}")
        raise typer.Exit(1)
    for t in gone:
        err_console.print(f"revoked {t.name} ({t.id})")


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.add_typer(token_app)
