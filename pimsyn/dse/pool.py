"""Worker processes of the DSE: how many, how they start, how they are stopped."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def worker_count(jobs: int, tasks: int) -> int:
    """Worker processes that can help: at most one per core and one per task."""
    return max(1, min(jobs, os.cpu_count() or 1, tasks))


def ignore_interrupts() -> None:
    """In a worker process: Ctrl-C (SIGINT, sent to the whole terminal process group) is
    the driver's to handle, so workers ignore it and never print a traceback; SIGTERM gets
    its default action, so `stop_workers` ends a worker at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked inside `signals_deferred`: take them now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


#: prctl option: the signal this process gets when its parent dies (linux/prctl.h)
PR_SET_PDEATHSIG = 1


def die_with_driver(driver_pid: int) -> None:
    """In a worker process (Linux): the kernel sends it SIGTERM when the driver, its parent,
    dies, however the driver ends (SIGKILL, the OOM killer, a script calling `synthesize`
    killed before its clean-up). Without it an orphaned worker waits for tasks forever. The
    worker is the driver's fork (`executors.ProcessExecutor` forks on Linux), so a driver
    that died before this call already makes the worker exit at once."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return
    if os.getppid() != driver_pid:
        os._exit(1)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT/SIGTERM while the block runs (submitting to the pool, which forks the
    workers and holds the executor's locks); they are delivered when it ends.

    A Ctrl-C or SIGTERM raised inside `ProcessPoolExecutor.submit` could leave its
    shutdown lock held (then `stop_workers` hangs), and a worker forked at that moment
    would inherit the driver's raising SIGTERM handler before `ignore_interrupts` runs
    (then it survives SIGTERM). Forked with the signals blocked, a worker receives them
    only after `ignore_interrupts` has set its own handlers."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End every worker of `pool` now (after an error or a signal): cancel the queued tasks,
    terminate the processes and reap them, so none is left orphaned. A worker that is
    still alive after SIGTERM (e.g. one that was forking) gets SIGKILL."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    processes += [p for p in (getattr(pool, "_processes", None) or {}).values() if p not in processes]
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    deadline = time.monotonic() + 5
    for process in processes:
        try:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
        except (OSError, ValueError, AttributeError, AssertionError):
            pass
    for process in processes:
        try:
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass
