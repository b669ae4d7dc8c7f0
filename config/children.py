"""Child processes that end with their parent, so a killed command leaves nothing running.

``die_with_parent(parent_pid)`` runs first in a spawned child (a process pool's
``initializer``). On Linux it asks the kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to kill
the child when the thread that started it ends, which a SIGKILL of the parent does; a
child whose parent is already gone by then exits at once. multiprocessing's resource
tracker needs nothing more: it ends by itself once every process holding its pipe (the
parent and these children) has ended. Elsewhere than Linux it does nothing.

Errors: none; a kernel that refuses the request leaves the child as it was.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""``prctl`` option from ``<linux/prctl.h>``: the signal a child gets when its parent dies."""


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process with its parent; exit now if the parent is gone."""
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)
