"""Run independent jobs side by side in forked child processes.

The write stage is most of a big run, and each output file (the master workbook, a role
view, a returned workbook) is built by one function from data already in memory; the
normalize stage parses the second half of a big month's rows in a child while this process
parses the first. A forked child sees that data without any pickling; only its result (a
path, or the half's normalized rows) or its exception comes back through a pipe. At most ``workers`` children run at once; jobs wait in a queue
(costliest first is the caller's order) and start when a child ends. A pool made with
``heavy_alone`` never runs two jobs submitted ``heavy=True`` at once: while one runs, the next
light job in the queue takes the free worker (a big month's master, staged history and role
views each copy gigabytes of the parent's pages; side by side they set the run's peak).

With one worker (small runs, one CPU, no ``fork``) :meth:`JobPool.submit` simply calls the
function, so a small run behaves exactly like plain sequential code.
"""
from __future__ import annotations

import contextlib
import gc
import os
import pickle
import selectors
import signal
from collections import deque
from typing import Any, Callable

#: below this many estimated cells the output files are written one after the other
PARALLEL_FROM_CELLS = 300_000

#: from this many source rows a month is big enough that memory comes before overlap: the
#: write stage's heavy jobs run one at a time (its master in this process), and a background
#: stage runs in this process too — a forked child reading the month's frames copies every
#: page it reads (copy-on-write: 2 GB a child at a million rows; bench/README.md)
MEMORY_FIRST_FROM_ROWS = 100_000

#: the pools of this process running a job here (:meth:`JobPool.run_here`)
_HERE: list["JobPool"] = []


def between_chunks() -> None:
    """Called by long writers between chunks of rows: a pool running a job in this process
    collects its finished children and starts the next ones, so the other workers stay busy."""
    for pool in _HERE:
        pool.poll()


def default_workers() -> int:
    """Child processes for the write stage (two or more also split the normalize stage): the
    CPUs this process may use, at most 4; ``CRM_PIPELINE_WORKERS`` overrides (1 = everything
    in this process)."""
    env = os.environ.get("CRM_PIPELINE_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _child(func: Callable[..., Any], args: tuple, fd: int) -> None:
    """Runs in the forked child: call, send back the pickled outcome, exit without cleanup."""
    code = 0
    _HERE.clear()                                # the parent's pools are not this child's
    payload = None
    try:
        result = (True, func(*args))
    except BaseException as exc:  # noqa: BLE001 — everything goes back to the parent
        code, result = 1, None
        try:
            payload = pickle.dumps((False, exc))
        except Exception:  # noqa: BLE001 — an exception that cannot be pickled
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    try:
        with os.fdopen(fd, "wb") as fh:
            if payload is not None:
                fh.write(payload)
            else:
                # streamed into the pipe: a big result (half a month's normalized rows) is never
                # held a second time as one pickled string, here or in the parent
                pickle.dump(result, fh)
    except BaseException as exc:  # noqa: BLE001 — a result that cannot be pickled: the parent reports it
        code = RESULT_NOT_SENT
        with contextlib.suppress(Exception):
            os.write(2, f"子进程的结果无法传回：{type(exc).__name__}: {exc}\n".encode("utf-8"))
    finally:
        os._exit(code)


#: a child's exit code when its result could not be pickled into the pipe (the cause is on stderr)
RESULT_NOT_SENT = 3


def _died(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code == RESULT_NOT_SENT:
        return "子进程的结果无法传回（无法序列化，原因见错误输出）"
    return f"子进程异常退出（{'信号 ' + str(-code) if code < 0 else '退出码 ' + str(code)}）"


class JobPool:
    """``submit`` jobs, then ``wait()`` for all of them (results in submission order).
    Leaving the ``with`` block on an exception stops the children that still run."""

    def __init__(self, workers: int = 1, on_done: Callable[[int], None] | None = None,
                 heavy_alone: bool = False):
        self.workers = workers if hasattr(os, "fork") else 1
        self.on_done = on_done or (lambda slot: None)    # called with a job's slot when it ends
        self.heavy_alone = heavy_alone
        self._here: bool | None = None       # a job runs in this process: None, or whether it is heavy
        self._held = False
        self._pid = os.getpid()
        self.results: list[Any] = []
        self._queue: deque[tuple[int, Callable[..., Any], tuple, bool]] = deque()
        self._running: dict[int, tuple[int, int, bytearray, bool]] = {}   # fd -> (slot, pid, data, heavy)
        self._selector = selectors.DefaultSelector() if self.workers > 1 else None
        self._frozen = False

    @property
    def parallel(self) -> bool:
        return self.workers > 1

    def submit(self, func: Callable[..., Any], *args: Any, heavy: bool = False) -> int:
        """Queue ``func(*args)``; returns its slot in :attr:`results`. Sequential pools run it now.
        ``heavy``: a job that needs much memory of its own (see ``heavy_alone``)."""
        slot = self._new_slot(func, args)
        if slot is None:
            return len(self.results) - 1
        self._queue.append((slot, func, args, heavy))
        self._start_ready()
        return slot

    def _new_slot(self, func: Callable[..., Any], args: tuple) -> int | None:
        """A new result slot; a sequential pool runs the job now and returns None."""
        self.results.append(None)
        if self.parallel:
            return len(self.results) - 1
        self.results[-1] = func(*args)
        self.on_done(len(self.results) - 1)
        return None

    def _next_job(self) -> tuple[int, Callable[..., Any], tuple, bool] | None:
        """The first queued job that may start now (a heavy one waits while another runs)."""
        heavy_running = self.heavy_alone and (bool(self._here) or any(job[3] for job in self._running.values()))
        for i, job in enumerate(self._queue):
            if not (heavy_running and job[3]):
                del self._queue[i]
                return job
        return None

    @property
    def _free(self) -> int:
        return self.workers - len(self._running) - (self._here is not None)

    def _start_ready(self) -> None:
        while self._queue and not self._held and self._free > 0:
            job = self._next_job()
            if job is None:
                return
            slot, func, args, heavy = job
            if not self._frozen:
                # the parent's objects leave the collector's reach while children run: a
                # collection in a child would touch every object and copy the parent's
                # whole heap page by page (copy-on-write)
                gc.freeze()
                self._frozen = True
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:                               # child
                os.close(read_fd)
                _child(func, args, write_fd)
            os.close(write_fd)
            self._running[read_fd] = (slot, pid, bytearray(), heavy)
            self._selector.register(read_fd, selectors.EVENT_READ)

    def _collect(self, timeout: float | None = None) -> bool:
        """Read from the running children until one ends (or ``timeout`` passes); store its
        outcome. True if a child ended."""
        while True:
            ready = self._selector.select(timeout)
            if not ready:
                return False
            for key, _ in ready:
                fd = key.fd
                chunk = os.read(fd, 1 << 16)
                slot, pid, data, _ = self._running[fd]
                if chunk:
                    data.extend(chunk)
                    continue
                self._selector.unregister(fd)
                os.close(fd)
                del self._running[fd]
                _, status = os.waitpid(pid, 0)
                try:
                    ok, value = pickle.loads(data)       # the bytearray itself: no second copy
                except Exception:  # noqa: BLE001 — empty or cut short: the child died
                    raise RuntimeError(_died(status)) from None
                del data
                if not ok:
                    raise value
                self.results[slot] = value
                self.on_done(slot)
                return True

    @contextlib.contextmanager
    def held(self):
        """Jobs submitted inside start only afterwards (queue them, then :meth:`run_here`)."""
        self._held = True
        try:
            yield self
        finally:
            self._held = False         # they start in run_here or wait

    def run_here(self, func: Callable[..., Any], *args: Any, heavy: bool = False) -> int:
        """Run ``func(*args)`` in this process now, while the queued jobs run in children on
        the other workers (started and collected between the job's chunks, see
        :func:`between_chunks`). A heavy job copies nothing here: in a child, every page of
        this process it reads becomes the child's own (copy-on-write). Returns its slot."""
        slot = self._new_slot(func, args)
        if slot is None:
            return len(self.results) - 1
        self._here = heavy
        _HERE.append(self)
        try:
            self._start_ready()
            self.results[slot] = func(*args)
        except BaseException:
            self._stop()
            raise
        finally:
            _HERE.remove(self)
            self._here = None
        self.on_done(slot)
        self._start_ready()
        return slot

    def poll(self) -> None:
        """Take the outcomes of the children that ended, start the next jobs; never waits."""
        if os.getpid() != self._pid or not self.parallel:
            return
        while self._running and self._collect(timeout=0):
            pass
        self._start_ready()

    def wait(self) -> list[Any]:
        """Run every queued job; raise the first failure. Returns the results in order."""
        try:
            while self._running or self._queue:
                self._start_ready()
                self._collect()
        except BaseException:
            self._stop()
            raise
        return list(self.results)

    def _stop(self) -> None:
        self._queue.clear()
        for fd, (_, pid, _, _) in list(self._running.items()):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            self._selector.unregister(fd)
            os.close(fd)
        self._running.clear()

    def __enter__(self) -> "JobPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._stop()
        else:
            self.wait()
        if self._selector is not None:
            self._selector.close()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
