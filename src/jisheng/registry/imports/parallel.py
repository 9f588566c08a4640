"""The parallel driver: forked processes that check chunks of rows, and a thread that loads
the clean ones meanwhile.

Large files are checked by several forked processes at once (``JISHENG_IMPORT_WORKERS``);
they only compute. On PostgreSQL the load then runs alongside the check instead of after
it (:class:`Loader`): a thread with its own connection inserts each chunk as soon as it is
found clean, in the one transaction, which is committed only when the whole file has been
checked and found clean, and rolled back otherwise.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.registry.imports import files, limits, outcome
from jisheng.registry.imports.families import FamilyLoader, FamilyPlan, PlanSize
from jisheng.registry.imports.loading import Chunks, load, load_families, unpickled
from jisheng.registry.imports.outcome import Loaded, Validation
from jisheng.registry.imports.rows import CheckedChunk, ChunkContext, check_chunk
from jisheng.registry.models import PersonImport

# Set in each worker process of a parallel check (inherited through fork).
_worker_context: ChunkContext | None = None
_worker_stop: Any = None


def _worker_start(context: ChunkContext, stop: Any, parent: int) -> None:
    global _worker_context, _worker_stop  # per-process state of a pool worker
    _worker_context, _worker_stop = context, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def orphaned() -> None:  # a killed parent must not leave its workers behind
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()


def _worker_check(rows: list[tuple[int, files.Cells]]) -> CheckedChunk:
    assert _worker_context is not None  # noqa: S101 - set by _worker_start
    return check_chunk(_worker_context, rows, prepare=not _worker_stop.value)


def worker_count(estimate: int) -> int:
    """Processes that check a file of about ``estimate`` rows; 0: this process alone."""
    configured = getattr(settings, "JISHENG_IMPORT_WORKERS", None)
    workers = int(configured) if configured is not None else min(4, os.cpu_count() or 1)
    if workers < 2 or estimate < limits.parallel_rows() or not hasattr(os, "fork"):
        return 0
    return workers


@contextlib.contextmanager
def checker(
    context: ChunkContext, workers: int, stop: Callable[[], bool]
) -> Iterator[Callable[[Iterable[list[tuple[int, files.Cells]]]], Iterator[CheckedChunk]]]:
    """Checks chunks in order: in this process, or in ``workers`` forked processes.

    The workers never touch the database: they get rows and give back problems, digests
    and prepared values. Forking (not spawning) gives them the configured Django of this
    process as it is; they leave with os._exit, so inherited connections are never closed.
    """
    if workers < 2:

        def serial(chunks: Iterable[list[tuple[int, files.Cells]]]) -> Iterator[CheckedChunk]:
            for chunk in chunks:
                yield check_chunk(context, chunk, prepare=not stop())

        yield serial
        return
    fork = multiprocessing.get_context("fork")
    shared_stop = fork.Value("b", 0, lock=False)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=fork,
        initializer=_worker_start,
        initargs=(context, shared_stop, os.getpid()),
    ) as pool:

        def parallel(
            chunks: Iterable[list[tuple[int, files.Cells]]],
        ) -> Iterator[CheckedChunk]:
            pending: deque[Future[CheckedChunk]] = deque()
            for chunk in chunks:
                pending.append(pool.submit(_worker_check, chunk))
                if len(pending) >= 2 * workers:  # bounded: the file is never all in memory
                    yield pending.popleft().result()
                    shared_stop.value = 1 if stop() else 0
            while pending:
                yield pending.popleft().result()

        try:
            yield parallel
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def loads_while_checking(workers: int) -> bool:
    """Whether to load in a second connection while forked workers check: the database must
    take writes from two connections at once (not SQLite), and no transaction of the caller
    may be open, as a second connection would not see what it wrote."""
    return workers > 0 and connection.vendor != "sqlite" and not connection.in_atomic_block


class _Planned(NamedTuple):
    """The families planned so far: the plan and its size between two rows."""

    plan: FamilyPlan
    size: PlanSize


class _Abandoned(Exception):
    """The check found errors or failed: the concurrent load is rolled back."""


_END = "end"  # no more chunks: the file is clean
_ABANDON = "abandon"  # no more chunks: roll back
_ALL_SENT = "all sent"  # no more chunks, but the file is still being checked across rows


class Loader:
    """Loads checked chunks in a thread, on a connection of its own, while the forked
    workers check the next ones: the database's work overlaps theirs instead of following it.

    Everything is still ONE transaction, committed only once the whole file has been checked
    and found clean (:meth:`finish`); errors in a later row, a failure of the check or of the
    load, or a killed process roll it back whole. Started on the first clean chunk, after
    the workers were forked, so that no fork copies this thread's locks.
    """

    def __init__(
        self,
        person_import: PersonImport,
        actor: Actor,
        *,
        latest_id: int,
        bulk: bool,
        families: bool = False,
    ) -> None:
        self.person_import, self.actor = person_import, actor
        self.latest_id, self.bulk = latest_id, bulk
        # With family columns: key → id of each resident loaded, for the family links.
        self.created: array[int] | None = array("q") if families else None
        self.language = translation.get_language()
        self.columns: list[str] = []
        self.queue: queue.Queue[tuple[list[int], bytes, bytes] | _Planned | str] = queue.Queue(
            maxsize=4
        )
        self.families: FamilyLoader | None = None
        self.checked: Validation | None = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.rows_loaded = 0
        self.rows_reported = 0
        self.ended = False  # _END came (not only _ALL_SENT)

    def begin(self, columns: list[str]) -> None:
        self.columns = columns

    def add(self, skip: list[int], blob: bytes, numbers: bytes) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="person-import-load", daemon=True)
            self.thread.start()
        self._put((skip, blob, numbers))

    def family_planned(self, plan: FamilyPlan) -> None:
        """The families planned so far, to load while the rest are resolved. A failed load is
        left to :meth:`finish` (the end loads what a piece not sent would have), so that the
        resolution still reports its row errors."""
        item = _Planned(plan, plan.size())
        while self.thread is not None and self.thread.is_alive():
            try:
                self.queue.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def loaded(self) -> int:
        """Rows loaded since the last call (for the progress bar)."""
        done, self.rows_reported = self.rows_loaded - self.rows_reported, self.rows_loaded
        return done

    def finish(self, checked: Validation, progress_id: int | None) -> None:
        """The file is clean: load what is left and commit."""
        if self.thread is None:  # no chunk had rows to load
            with transaction.atomic():
                outcome.done(self.person_import, self.actor, checked, Loaded())
            return
        self.checked = checked
        self._put(_END)
        while self.thread.is_alive():
            self.thread.join(timeout=1)
            if progress_id is not None and (done := self.loaded()):
                progress.progress_advance(progress_id, by=done)
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Roll back whatever was loaded (the check found errors or failed)."""
        if self.thread is None:
            return
        with contextlib.suppress(BaseException):
            self._put(_ABANDON)
        self.thread.join()

    def _put(self, item: tuple[list[int], bytes, bytes] | _Planned | str) -> None:
        assert self.thread is not None  # noqa: S101 - started by add
        while True:
            try:
                self.queue.put(item, timeout=1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    raise self.error or RuntimeError("the import's load stopped") from None

    def all_sent(self) -> None:
        """Every chunk is sent, the file is still being checked across its rows (families):
        the load may finish the residents (duplicate flags, statistics) meanwhile."""
        if self.thread is not None:
            self._put(_ALL_SENT)

    def _chunks(self) -> Chunks:
        while (item := self.queue.get()) not in (_END, _ALL_SENT):
            if item == _ABANDON:
                raise _Abandoned()
            # The markers are handled above; families are planned only after _ALL_SENT.
            assert not isinstance(item, str | _Planned)  # noqa: S101
            yield unpickled(self.columns, *item)
        self.ended = item == _END

    def _wait_for_end(self) -> None:
        """After _ALL_SENT: the end of the check across rows, clean (_END) or not, loading
        the families planned meanwhile."""
        while not self.ended:
            item = self.queue.get()
            if item == _ABANDON:
                raise _Abandoned()
            if isinstance(item, _Planned):
                self._family_loader().load(item.plan, item.size)
            else:
                self.ended = True

    def _family_loader(self) -> FamilyLoader:
        if self.families is None:
            self.families = FamilyLoader(self.created if self.created is not None else array("q"))
        return self.families

    def _run(self) -> None:
        try:
            with translation.override(self.language), transaction.atomic():
                if connection.features.can_defer_constraint_checks:
                    # Foreign keys checked with each chunk, while the check goes on, not
                    # all at the commit, after it: the same checks, off the critical path.
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                loaded = load(
                    self.person_import,
                    self.actor,
                    self._chunks(),
                    latest_id=self.latest_id,
                    bulk=self.bulk,
                    on_chunk=self._count,
                    created=self.created,
                )
                self._wait_for_end()
                assert self.checked is not None  # noqa: S101 - set before _END
                load_families(self.checked, loaded, self._family_loader())
                outcome.done(self.person_import, self.actor, self.checked, loaded)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the checking thread by finish()
            self.error = exc
        finally:
            connection.close()

    def _count(self, rows: int) -> None:
        self.rows_loaded += rows
