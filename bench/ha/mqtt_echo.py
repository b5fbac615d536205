"""A trivial MQTT "hub" for calibrating the latency harness: one paho client, one thread,
Nagle off, that answers each `bench/sensor/<k>/state` with `bench/cmd/<k>` (same payload)
and each ping with its pong. What the harness measures against it is its own floor."""

from __future__ import annotations

import argparse
import socket
import uuid
from typing import Any

import paho.mqtt.client as mqtt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    client_id = f"bench-echo-{uuid.uuid4().hex[:8]}"
    if hasattr(mqtt, "CallbackAPIVersion"):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    else:
        client = mqtt.Client(client_id=client_id)

    def on_connect(c: mqtt.Client, *_: Any) -> None:
        c.subscribe([("bench/sensor/+/state", 0), ("bench/ctl/ping", 1)])

    def on_message(c: mqtt.Client, _userdata: Any, msg: Any) -> None:
        if msg.topic == "bench/ctl/ping":
            c.publish("bench/ctl/pong", msg.payload, 1)
            return
        c.publish("bench/cmd/" + msg.topic.split("/")[2], msg.payload, 0)

    client.on_connect = on_connect
    client.on_message = on_message
    client.max_inflight_messages_set(1000)
    client.connect(args.host, args.port)
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.loop_forever()


if __name__ == "__main__":
    main()
