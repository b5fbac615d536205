"""The dashboard's files: the shell at `/` and `/dashboard`, its ES modules, styles and the
vendored uPlot under `/frontend/`. The files hold no data and no secret: the app logs in by
token over the WebSocket API (the token kept in the browser's storage, never in a URL) and
reads everything through the same APIs any other client uses. Written here or vendored
(uPlot, MIT, from npm with its licence), so the hub serves its face offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

FRONTEND = Path(__file__).resolve().parent / "frontend"

# the shell is tiny and names its modules with a version query; revalidating each load keeps a
# new hub's page from running an old cached module
_NO_CACHE = {"Cache-Control": "no-cache"}


def mount(app: FastAPI) -> None:
    """Serve the dashboard at `/` and `/dashboard`, its assets under `/frontend/`."""

    async def shell() -> FileResponse:
        return FileResponse(FRONTEND / "index.html", media_type="text/html", headers=_NO_CACHE)

    for path in ("/", "/dashboard"):
        app.add_api_route(path, shell, methods=["GET"], include_in_schema=False)
    app.mount("/frontend", StaticFiles(directory=FRONTEND), name="frontend")
