"""Messages between hubs: signed, versioned envelopes, and the ways to carry them.

An envelope is `{format, version, type, issuer, audience, issued, nonce, body, signature}`;
the signature is HMAC-SHA256 (standard library) over the canonical JSON of everything else,
with a key per pair of hubs (`PeerKeys`), agreed when the two were paired. A hub refuses an
envelope from a hub it does not know, one without a signature or with a wrong one, one meant
for another hub, one it has seen before (nonce) and one of a newer version than it reads;
each refusal is an `ExchangeError` with a counter, and nothing of the receiver changes.

Types: `profile_request` (a space asks a person's home for their profile, for a kind of
space), `profile` (the answer: consent.shared_view, nothing else), `learned` (what a person
chose in a visited space, sent home), `eta` (a car: the person will be home at ...), `hint`
(the office: the person left), `delete` (the person deleted their profile: forget them)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

ENVELOPE_FORMAT = "hearthmind.spaces"
ENVELOPE_VERSION = 1
MESSAGE_TYPES = frozenset({"profile_request", "profile", "learned", "eta", "hint", "delete"})


class ExchangeError(Exception):
    """A refused message; `counter` names the health counter it is counted in."""

    def __init__(self, counter: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.counter = counter
        self.status = status


def _canonical(envelope: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return orjson.dumps(unsigned, option=orjson.OPT_SORT_KEYS)


@dataclass
class PeerKeys:
    """This hub's id and the shared key of each hub it talks to."""

    hub_id: str
    keys: dict[str, bytes] = field(default_factory=dict)

    def pair(self, peer_id: str, key: bytes | None = None) -> bytes:
        key = key or secrets.token_bytes(32)
        self.keys[peer_id] = key
        return key


def pair(a: PeerKeys, b: PeerKeys) -> None:
    """Give two hubs one shared key (what pairing them on site does)."""
    key = a.pair(b.hub_id)
    b.pair(a.hub_id, key)


def seal(
    keys: PeerKeys, audience: str, kind: str, body: dict[str, Any], issued: float, nonce: str
) -> dict[str, Any]:
    if audience not in keys.keys:
        raise ExchangeError("spaces_unknown_peer", f"no key for hub {audience!r}: pair first")
    envelope: dict[str, Any] = {
        "format": ENVELOPE_FORMAT,
        "version": ENVELOPE_VERSION,
        "type": kind,
        "issuer": keys.hub_id,
        "audience": audience,
        "issued": issued,
        "nonce": nonce,
        "body": body,
    }
    envelope["signature"] = hmac.new(
        keys.keys[audience], _canonical(envelope), hashlib.sha256
    ).hexdigest()
    return envelope


class NonceMemory:
    """Nonces seen lately, so a recorded message cannot be played again."""

    def __init__(self, keep: int = 10_000) -> None:
        self._seen: dict[str, None] = {}
        self._keep = keep

    def check_and_add(self, nonce: str) -> bool:
        if nonce in self._seen:
            return False
        self._seen[nonce] = None
        if len(self._seen) > self._keep:
            self._seen.pop(next(iter(self._seen)))
        return True


def open_envelope(keys: PeerKeys, envelope: Any, nonces: NonceMemory) -> dict[str, Any]:
    """The verified envelope, or an ExchangeError that says what is wrong with it."""
    if not isinstance(envelope, dict) or envelope.get("format") != ENVELOPE_FORMAT:
        raise ExchangeError("spaces_bad_message", "not a hearthmind.spaces envelope")
    version = envelope.get("version")
    if not isinstance(version, int) or version > ENVELOPE_VERSION:
        raise ExchangeError(
            "spaces_newer_version",
            f"message version {version!r} is newer than this hub reads ({ENVELOPE_VERSION})",
            422,
        )
    issuer = envelope.get("issuer")
    if not isinstance(issuer, str) or issuer not in keys.keys:
        raise ExchangeError("spaces_unknown_peer", f"unknown hub {issuer!r}: not paired", 403)
    signature = envelope.get("signature")
    if not isinstance(signature, str) or not signature:
        raise ExchangeError("spaces_unsigned", f"message from {issuer!r} is not signed", 401)
    expected = hmac.new(keys.keys[issuer], _canonical(envelope), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise ExchangeError(
            "spaces_bad_signature", f"bad signature on message from {issuer!r}", 401
        )
    if envelope.get("audience") != keys.hub_id:
        raise ExchangeError("spaces_bad_message", f"message meant for {envelope.get('audience')!r}")
    if envelope.get("type") not in MESSAGE_TYPES or not isinstance(envelope.get("body"), dict):
        raise ExchangeError("spaces_bad_message", f"unknown message type {envelope.get('type')!r}")
    if not nonces.check_and_add(str(envelope.get("nonce"))):
        raise ExchangeError(
            "spaces_replayed", f"message {envelope.get('nonce')!r} seen before", 409
        )
    return envelope


class Transport(Protocol):
    """Carries an envelope to a peer hub and returns its answer (an envelope, or None)."""

    async def send(self, peer_id: str, envelope: dict[str, Any]) -> dict[str, Any] | None: ...


Receiver = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class InProcessTransport:
    """Hubs in one process (the benchmark): the same receiving code as over HTTP."""

    def __init__(self) -> None:
        self.receivers: dict[str, Receiver] = {}
        self.online: dict[str, bool] = {}

    def register(self, hub_id: str, receiver: Receiver) -> None:
        self.receivers[hub_id] = receiver
        self.online[hub_id] = True

    async def send(self, peer_id: str, envelope: dict[str, Any]) -> dict[str, Any] | None:
        if peer_id not in self.receivers or not self.online.get(peer_id, False):
            raise ExchangeError("spaces_peer_offline", f"hub {peer_id!r} cannot be reached", 503)
        # a copy through JSON, as a wire would make it; a refusal comes back as over HTTP
        try:
            return await self.receivers[peer_id](orjson.loads(orjson.dumps(envelope)))
        except Exception as err:
            status = getattr(err, "status", None)
            if not isinstance(status, int):
                raise
            raise ExchangeError(
                "spaces_peer_refused", f"hub {peer_id!r} refused: {status} {err}", status
            ) from err


class HttpTransport:
    """Peers over HTTP: POST /api/hearthmind/spaces/exchange on each peer's base URL."""

    def __init__(self, urls: dict[str, str], timeout: float = 10.0) -> None:
        self.urls = urls
        self.timeout = timeout

    async def send(self, peer_id: str, envelope: dict[str, Any]) -> dict[str, Any] | None:
        import httpx

        url = self.urls.get(peer_id)
        if url is None:
            raise ExchangeError("spaces_unknown_peer", f"no address for hub {peer_id!r}")
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                reply = await client.post(f"{url}/api/hearthmind/spaces/exchange", json=envelope)
        except httpx.HTTPError as err:
            raise ExchangeError("spaces_peer_offline", f"hub {peer_id!r}: {err!r}", 503) from err
        if reply.status_code >= 400:
            raise ExchangeError(
                "spaces_peer_refused",
                f"hub {peer_id!r} refused: {reply.status_code} {reply.text[:200]}",
                reply.status_code,
            )
        answer = reply.json()
        return answer if isinstance(answer, dict) and answer else None
