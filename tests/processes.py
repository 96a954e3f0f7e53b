"""Killing a process the way a lost host or the OOM killer does: with every process it
started. RQ's work horse leaves its parent's process group (`setpgrp`), so a signal to
the worker's group spares the horse that is sending; the session holds them all."""

from __future__ import annotations

import os
import signal


def kill_session(leader_pid: int) -> int:
    """SIGKILL every process in the session `leader_pid` leads (a process started with
    `start_new_session=True`); returns how many were killed."""
    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getsid(int(entry)) == leader_pid:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
        except (ProcessLookupError, PermissionError):
            continue  # gone meanwhile, or not ours
    return killed
