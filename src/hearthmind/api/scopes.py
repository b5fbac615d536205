"""What a token may do: `admin` (everything, the default and what older tokens are), `read`
(look: states, history, templates, subscriptions) or `voice` (look, and speak: the voice and
conversation endpoints, whose actions are the token user's). A kitchen tablet showing the
home gets a read token; a satellite microphone a voice token; neither can call a service
directly, change the agent, or fire events."""

from __future__ import annotations

SCOPES = ("admin", "read", "voice")

# REST: what reads the home though it is a POST
_READING_POSTS = ("/api/template", "/api/config/core/check_config")
_SPEAKING = ("/api/hearthmind/voice/", "/api/conversation/")

# WebSocket commands that only read (or subscribe); everything else changes something
READ_COMMANDS = frozenset(
    {"ping", "supported_features", "auth/current_user", "get_states", "get_config",
     "get_services", "subscribe_events", "unsubscribe_events", "subscribe_trigger",
     "render_template", "subscribe_entities", "config/area_registry/list",
     "config/device_registry/list", "config/entity_registry/list",
     "history/history_during_period", "hearthmind/predictions", "hearthmind/why",
     "hearthmind/agent", "hearthmind/agent/routines", "hearthmind/agent/suggestions",
     "hearthmind/agent/actions"}
)  # fmt: skip
VOICE_COMMANDS = frozenset({"conversation/process", "assist_pipeline/run"})


def allows_request(scope: str, method: str, path: str) -> bool:
    if scope == "admin":
        return True
    if method in ("GET", "HEAD", "OPTIONS") or path in _READING_POSTS:
        return True
    return scope == "voice" and path.startswith(_SPEAKING)


def allows_command(scope: str, command: str) -> bool:
    if scope == "admin" or command in READ_COMMANDS:
        return True
    return scope == "voice" and command in VOICE_COMMANDS
