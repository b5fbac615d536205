"""What corking costs: the MQTT connection (integrations/mqtt/connection.py, `_flush_writes`)
sets TCP_CORK around a batch of outgoing packets so the kernel sends them as one segment.
Under cProfile at a load average of 30, those `setsockopt` calls looked like 1.5 ms each
(BENCHMARKS, hardening). This times, on a loopback socket with Nagle off as the connection
has it: a batch of 5 small packets sent corked and uncorked, and the two `setsockopt` calls
alone.

    python bench/mqtt_cork.py [--batches 20000] [--repeats 5]"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import time

PACKET = b"\x30\x20" + b"x" * 32  # a small PUBLISH, as the automations' commands are


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(1 << 16):
            pass
    except BlockingIOError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.setblocking(False)
    peer.setblocking(False)
    per_batch: dict[str, list[float]] = {"corked": [], "uncorked": []}
    for _ in range(args.repeats):
        for mode, runs in per_batch.items():
            start = time.perf_counter_ns()
            for i in range(args.batches):
                if mode == "corked":
                    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                for _ in range(5):
                    client.send(PACKET)
                if mode == "corked":
                    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
                if i % 50 == 0:
                    _drain(peer)
            runs.append((time.perf_counter_ns() - start) / args.batches / 1000)
            _drain(peer)
    start = time.perf_counter_ns()
    calls = 100_000
    for _ in range(calls // 2):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
    alone = (time.perf_counter_ns() - start) / calls / 1000
    for mode, runs in per_batch.items():
        print(
            f"batch of 5 packets, {mode}: {statistics.median(runs):.2f} us "
            f"(median of {args.repeats}, {min(runs):.2f}-{max(runs):.2f})"
        )
    print(f"setsockopt(TCP_CORK) alone, idle socket: {alone:.3f} us per call")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
