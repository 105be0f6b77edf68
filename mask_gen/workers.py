"""Worker processes for mask-gen: one OpenCV thread each, and they die with their parent."""

from __future__ import annotations


def _init_worker(parent: int) -> None:
    """A worker: one OpenCV thread, and it dies with its parent (a killed mask-gen leaves no orphans
    writing on: Linux delivers SIGTERM on the parent's death, and a watchdog catches it elsewhere)."""
    import cv2

    cv2.setNumThreads(1)
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    import os
    import signal
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()
