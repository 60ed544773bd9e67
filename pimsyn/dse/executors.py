"""Where the DSE's tasks run: the executor seam (docs/scale-out.md).

An executor runs a picklable function over a list of argument tuples and yields the
results **in submission order**, whatever order they finish in; an optional `on_done`
callback sees each result as soon as it finishes (completion order, in the calling
thread), which is where the checkpoint writes it. Three executors:

* `InProcessExecutor` (``--jobs 1``): the tasks run one after the other in this process;
* `ProcessExecutor` (``--jobs N``, the default): a local `ProcessPoolExecutor`; workers
  ignore Ctrl-C (the driver's to handle) and are ended by `pool.stop_workers`;
* `DaskExecutor` (``--scheduler URL`` or ``--cluster local[:N]``, `dask.distributed`,
  the optional extra ``pimsyn[dask]``, imported only here and only when asked for).

Every executor takes an `initializer(*initargs)` that prepares a worker once (the DSE:
`tasks.init_worker` with the network, hardware, options and budget). The process pool runs
it when a worker starts; Dask ships `initargs` to the workers once (`client.scatter`,
broadcast) and each worker runs the initializer before its first task of this executor,
keyed by a token unique to the executor (`_run_initialized`). A worker keeps one
initialized state at a time, so a Dask worker should run one task at a time
(``--nthreads 1``; `--cluster` starts its workers so).

Results are combined by the caller in submission order, never in completion order, so
the executor never changes a result (the determinism rule of driver.py).

    with make_executor(jobs=4, initializer=f, initargs=(x,)) as ex:   # or scheduler=/cluster=
        for result in ex.map(work, [(1, 2), (3, 4)], on_done=lambda i, r: log(i, r)):
            ...

Leaving the `with` block normally closes the executor (waits for its workers); leaving it
with an exception (an error, Ctrl-C, SIGTERM) aborts it: queued tasks are cancelled,
local workers are ended, a LocalCluster it started is closed, so no process outlives it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from pimsyn.dse.pool import die_with_driver, ignore_interrupts, signals_deferred, stop_workers
from pimsyn.errors import PimsynError

OnDone = Callable[[int, Any], None]

#: seconds to wait for a Dask scheduler (the smaller of this and Dask's own
#: ``distributed.comm.timeouts.connect``)
CONNECT_TIMEOUT_S = 10.0


class ExecutorError(PimsynError):
    """An executor that cannot be used: a bad --scheduler/--cluster, Dask missing or
    unreachable, a Dask worker lost."""


class Executor:
    """Runs `fn(*args)` for each argument tuple; see the module docstring."""

    #: workers that run tasks at the same time (for sizing and messages)
    workers: int = 1
    #: what it is, for messages ("2 worker processes", "Dask tcp://...")
    description: str = ""

    def map(self, fn: Callable, items: Sequence[tuple], on_done: OnDone | None = None) -> Iterator[Any]:
        """Yield `fn(*items[i])` for i = 0, 1, ... in that order; call `on_done(i, result)`
        as each finishes (before it is yielded). An exception of a task is raised as it is."""
        raise NotImplementedError

    def close(self) -> None:
        """The normal end: wait for the workers, release them."""

    def abort(self) -> None:
        """After an error or a signal: cancel what is queued, end the workers now."""
        self.close()

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def in_submission_order(completions: Iterable[tuple[int, Any]], on_done: OnDone | None) -> Iterator[Any]:
    """(index, result) pairs in completion order -> results in index order (0, 1, ...),
    each passed to `on_done` as soon as it arrives."""
    waiting: dict[int, Any] = {}
    following = 0
    for index, result in completions:
        if on_done is not None:
            on_done(index, result)
        waiting[index] = result
        while following in waiting:
            yield waiting.pop(following)
            following += 1


# --------------------------------------------------------------------------------------
# Worker-side initialization, shared by every executor
# --------------------------------------------------------------------------------------
_INIT_LOCK = threading.Lock()
_INITIALIZED: dict[str, object] = {"token": None}


def _initialize(token: str, initializer: Callable | None, initargs: tuple) -> None:
    """Run `initializer(*initargs)` in this process unless it already ran for `token`."""
    if initializer is None:
        return
    with _INIT_LOCK:
        if _INITIALIZED["token"] != token:
            _INITIALIZED["token"] = None
            initializer(*initargs)
            _INITIALIZED["token"] = token


def _run_initialized(token: str, initializer: Callable | None, initargs: tuple, fn: Callable, *args):
    """A Dask task: initialize this worker for `token` (once), then run `fn(*args)`."""
    _initialize(token, initializer, initargs)
    return fn(*args)


def _start_worker_process(token: str, driver_pid: int, initializer: Callable | None, initargs: tuple) -> None:
    """ProcessPoolExecutor initializer: Ctrl-C is the driver's, the worker ends with the
    driver, then the caller's initializer."""
    ignore_interrupts()
    die_with_driver(driver_pid)
    _initialize(token, initializer, initargs)


# --------------------------------------------------------------------------------------
# In this process (--jobs 1)
# --------------------------------------------------------------------------------------
class InProcessExecutor(Executor):
    def __init__(self, initializer: Callable | None = None, initargs: tuple = ()) -> None:
        self.workers = 1
        self.description = "this process"
        # Always re-run: this process may have been initialized by another run since.
        _INITIALIZED["token"] = None
        _initialize(uuid.uuid4().hex, initializer, initargs)

    def map(self, fn, items, on_done=None):
        return in_submission_order(((i, fn(*args)) for i, args in enumerate(items)), on_done)


# --------------------------------------------------------------------------------------
# Local worker processes (--jobs N)
# --------------------------------------------------------------------------------------
class ProcessExecutor(Executor):
    def __init__(self, workers: int, initializer: Callable | None = None, initargs: tuple = ()) -> None:
        self.workers = workers
        self.description = f"{workers} worker processes"
        # Linux: forked workers whatever Python's default (a fork server from 3.14): the
        # signal handling of pool.py assumes them, and a fork server would outlive a killed
        # driver with its workers
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker_process,
                                         initargs=(uuid.uuid4().hex, os.getpid(), initializer, initargs))

    def map(self, fn, items, on_done=None):
        return in_submission_order(self._completions(fn, items), on_done)

    def _completions(self, fn, items):
        # Submitting forks the workers and holds the pool's locks: signals wait (pool.py).
        with signals_deferred():
            futures = {self._pool.submit(fn, *args): i for i, args in enumerate(items)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        self._pool.shutdown()

    def abort(self) -> None:
        stop_workers(self._pool)


# --------------------------------------------------------------------------------------
# Dask (--scheduler URL, --cluster local[:N])
# --------------------------------------------------------------------------------------
_URL = re.compile(r"^(?:(tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})/?$")


def check_scheduler_url(url: str) -> str:
    """`tcp://HOST:PORT` (or tls/ws/wss/ucx, or a bare HOST:PORT), else an ExecutorError."""
    match = _URL.match(url.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise ExecutorError(f"--scheduler expects a Dask scheduler address like tcp://HOST:8786, got '{url}'")
    return url.strip() if match.group(1) else f"tcp://{url.strip()}"


def parse_cluster(spec: str) -> int | None:
    """`local` -> None (one worker per core), `local:N` -> N (>= 1); else an ExecutorError."""
    match = re.fullmatch(r"local(?::(\d+))?", spec.strip())
    if not match:
        raise ExecutorError(f"--cluster expects local or local:N (N worker processes), got '{spec}'")
    if match.group(1) is None:
        return None
    workers = int(match.group(1))
    if not 1 <= workers <= 1024:
        raise ExecutorError(f"--cluster local:N needs 1 <= N <= 1024 worker processes, got {workers}")
    return workers


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ExecutorError("--scheduler/--cluster need Dask: install pimsyn[dask] "
                            "(pip install 'pimsyn[dask]')") from None
    return distributed


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: an existing one (`scheduler`, its URL) or a LocalCluster of
    `local_workers` processes (None: one per core) started here and closed at the end."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None, *,
                 initializer: Callable | None = None, initargs: tuple = ()) -> None:
        distributed = _distributed()
        self._distributed = distributed
        self._cluster = None
        self._client = None
        self._futures: list = []
        self._token = uuid.uuid4().hex
        self._initializer = initializer
        try:
            if scheduler is not None:
                self._client = self._connect(check_scheduler_url(scheduler))
                self.description = f"Dask {scheduler}"
            else:
                import logging

                workers = local_workers or os.cpu_count() or 1
                with _sigint_blocked():
                    self._cluster = distributed.LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR)
                self._client = distributed.Client(self._cluster, set_as_default=False)
                self.description = f"Dask LocalCluster ({workers} worker processes)"
            self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                      self._client.scheduler_info().get("workers", {}).values()))
            self._initargs = None
            if initializer is not None:
                [self._initargs] = self._client.scatter([initargs], broadcast=True, hash=False)
        except BaseException:
            self.abort()
            raise

    def _connect(self, url: str):
        import dask

        configured = dask.config.get("distributed.comm.timeouts.connect", CONNECT_TIMEOUT_S)
        try:
            configured = float(dask.utils.parse_timedelta(configured, default="s"))
        except (TypeError, ValueError):
            configured = CONNECT_TIMEOUT_S
        timeout = min(CONNECT_TIMEOUT_S, configured)
        try:
            return self._distributed.Client(url, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            reason = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
            raise ExecutorError(f"cannot reach the Dask scheduler at {url} within {timeout:g} s ({reason})") from None

    def map(self, fn, items, on_done=None):
        return in_submission_order(self._completions(fn, items), on_done)

    def _completions(self, fn, items):
        distributed = self._distributed
        futures = [self._client.submit(_run_initialized, self._token, self._initializer, self._initargs, fn, *args,
                                       pure=False, key=f"pimsyn-{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex}")
                   for args in items]
        self._futures = futures
        position = {future.key: i for i, future in enumerate(futures)}
        try:
            for future, result in distributed.as_completed(futures, with_results=True, loop=self._client.loop):
                yield position[future.key], result
        except _lost_task_errors(distributed) as err:
            reason = str(err).splitlines()[0] if str(err).strip() else ""
            raise ExecutorError(f"the Dask cluster lost a task ({type(err).__name__}{': ' + reason if reason else ''}); "
                                f"rerun with --resume to continue") from None
        # (on an exception the futures stay listed: `abort` cancels them)
        self._futures = []

    def close(self) -> None:
        self._shutdown()

    def abort(self) -> None:
        if self._client is not None and self._futures:
            try:
                self._client.cancel(self._futures, force=True)
            except Exception:  # the cluster may be gone already
                pass
        self._futures = []
        self._shutdown()

    def _shutdown(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        for closable in (client, cluster):
            if closable is None:
                continue
            try:
                closable.close()
            except Exception:  # closing after a lost connection: nothing left to end here
                pass


@contextlib.contextmanager
def _sigint_blocked():
    """SIGINT blocked in this thread while the block runs: the threads it starts (Dask's
    event loop) and the worker processes they spawn inherit the blocked SIGINT, so a
    Ctrl-C at the terminal (sent to the whole process group) reaches only the driver,
    which ends the cluster; a Ctrl-C during the start is delivered when it ends. SIGTERM
    stays deliverable (the nanny ends its worker with it)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _lost_task_errors(distributed) -> tuple[type[BaseException], ...]:
    """What Dask raises for a task it lost (cancelled, its worker killed, the connection
    closed), as opposed to an exception the task itself raised."""
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    return (CancelledError, distributed.KilledWorker, CommClosedError)


# --------------------------------------------------------------------------------------
# The one way to get an executor
# --------------------------------------------------------------------------------------
def check_executor_options(scheduler: str | None, cluster: str | None) -> None:
    """Validate --scheduler / --cluster before any work (one-line ExecutorError): not
    both, well-formed, and Dask installed when either is given."""
    if scheduler is not None and cluster is not None:
        raise ExecutorError("give --scheduler or --cluster, not both")
    if scheduler is not None:
        check_scheduler_url(scheduler)
    if cluster is not None:
        parse_cluster(cluster)
    if scheduler is not None or cluster is not None:
        _distributed()


def make_executor(jobs: int = 1, *, scheduler: str | None = None, cluster: str | None = None,
                  initializer: Callable | None = None, initargs: tuple = ()) -> Executor:
    """`scheduler` (a Dask URL) or `cluster` ("local" / "local:N") -> a DaskExecutor;
    else `jobs` > 1 -> a ProcessExecutor, `jobs` == 1 -> an InProcessExecutor."""
    check_executor_options(scheduler, cluster)
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler, initializer=initializer, initargs=initargs)
    if cluster is not None:
        return DaskExecutor(local_workers=parse_cluster(cluster), initializer=initializer,
                            initargs=initargs)
    if jobs > 1:
        return ProcessExecutor(jobs, initializer=initializer, initargs=initargs)
    return InProcessExecutor(initializer=initializer, initargs=initargs)
