"""The writer thread's CPU priority: background while it keeps up, normal when it falls behind.

On a small machine (2 cores) the event loop, the MQTT broker and the writer compete for the
CPU. A writer at normal priority that wakes up to commit takes a core away from the loop when
a device message arrives, and the loop answers late. As Linux's `SCHED_IDLE` (the class of
background work) the writer runs only on a core nobody else wants, and is preempted at once
when a normal task wakes: at 1,000 MQTT messages/s this lowered the automation's answer p99
by about a quarter (`bench/core_mqtt.py --writer-priority normal` compares).

Background work can starve if normal tasks keep every core busy, so the writer goes back to
normal priority as soon as its backlog grows (it still gets a sliver of CPU as `SCHED_IDLE`,
enough to notice), and back to background once it has caught up. A thread that could not
come back to normal (an unprivileged process whose RLIMIT_NICE forbids it) is never made
background in the first place."""

from __future__ import annotations

import logging
import os
import sys
from typing import Literal

_LOGGER = logging.getLogger(__name__)

WriterPriority = Literal["background", "normal"]


def _can_return_to_normal() -> bool:
    """Whether this process may switch a thread from SCHED_IDLE back to SCHED_OTHER at its
    nice value: as root (CAP_SYS_NICE), or within RLIMIT_NICE (Linux's `can_nice`)."""
    if os.geteuid() == 0:
        return True
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NICE)
    if soft == resource.RLIM_INFINITY:
        return True
    return 20 - os.getpriority(os.PRIO_PROCESS, 0) <= soft


class ThreadPriority:
    """Switches the calling thread between background and normal priority; a no-op where
    the platform has no SCHED_IDLE or the switch back would be refused."""

    def __init__(self, wanted: WriterPriority) -> None:
        self.supported = (
            wanted == "background"
            and sys.platform.startswith("linux")
            and hasattr(os, "SCHED_IDLE")
            and _can_return_to_normal()
        )
        self.background = False
        self.raised = 0  # times it went back to normal because work piled up

    def to_background(self) -> None:
        """Call from the thread itself (Linux applies the policy to the calling thread)."""
        if self.supported and not self.background:
            self._set(os.SCHED_IDLE)

    def to_normal(self) -> None:
        if self.background:
            self._set(os.SCHED_OTHER)
            self.raised += 1

    def _set(self, policy: int) -> None:
        try:
            os.sched_setscheduler(0, policy, os.sched_param(0))
        except OSError as err:  # e.g. a container's seccomp profile: stay as we are
            _LOGGER.debug("cannot change the writer's scheduling policy: %s", err)
            self.supported = False  # and do not try again
            return
        self.background = policy == os.SCHED_IDLE
