"""Where the notebooks run: pluggable executors with one small interface.

    with make_executor("processes", jobs=2) as ex:
        for task, result, error in ex.run(fn, tasks):   # in completion order
            ...

- "processes" (default): a pool of local worker processes. Each worker is tied to its parent
  (Linux PR_SET_PDEATHSIG), so `kill -9` of the run takes its workers down too, and their
  kernels follow (ipykernel exits when its parent goes).
- "threads": worker threads in this process (kernels are separate processes anyway).
- "dask": a dask.distributed cluster: a LocalCluster on this machine, or an existing
  scheduler given by address (e.g. tcp://10.0.0.5:8786) whose workers have sivreg installed.
  Optional extra: pip install 'sivreg[dask]'.
`fn` and the tasks must be picklable; fn must not write into the output folder (see notebook.py).
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed

from ..errors import SivregError

NAMES = ("processes", "threads", "dask")


def _tie_to_parent() -> None:
    """Worker initializer: die when the parent dies; keep kernel start-up chatter off the
    user's terminal (errors come back in the results)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


class _Futures:
    """Shared run() for executors built on concurrent.futures."""

    pool = None

    def run(self, fn, tasks):
        yield from _drain({self.pool.submit(fn, t): t for t in tasks}, as_completed)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)


def _drain(futures: dict, completed):
    """Yield (task, result, None) or (task, None, error) as futures finish; cancel the rest
    when the caller stops early (an interrupted run)."""
    try:
        for fut in completed(futures):
            try:
                yield futures[fut], fut.result(), None
            except Exception as exc:  # a worker that died, a task that could not be sent
                yield futures[fut], None, exc
    finally:
        for fut in futures:
            fut.cancel()


class LocalProcesses(_Futures):
    name = "processes"

    def __init__(self, jobs: int):
        import multiprocessing
        self.jobs = jobs
        # fork: workers start at once and share the modules already imported here
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_tie_to_parent)


class LocalThreads(_Futures):
    name = "threads"

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sivreg-nb")


class DaskExecutor:
    """dask.distributed: a LocalCluster of `jobs` single-threaded worker processes, or the
    scheduler at `address`."""

    name = "dask"

    def __init__(self, jobs: int, address: str | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise SivregError("the dask executor needs the optional extra: pip install 'sivreg[dask]'") from None
        self.jobs = jobs
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)

    def run(self, fn, tasks):
        from dask.distributed import as_completed as dask_completed
        futures = {self.client.submit(fn, t, pure=False): t for t in tasks}
        yield from _drain(futures, lambda fs: dask_completed(list(fs)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(name: str = "processes", jobs: int | None = None, address: str | None = None):
    jobs = max(1, jobs or os.cpu_count() or 1)
    if name == "processes":
        return LocalProcesses(jobs)
    if name == "threads":
        return LocalThreads(jobs)
    if name == "dask":
        return DaskExecutor(jobs, address)
    raise SivregError(f"unknown executor {name!r}; allowed: {', '.join(NAMES)}")
