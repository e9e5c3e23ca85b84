"""Engines: lay out DOT sources and return SVG or PNG, behind one small interface.

* :class:`EmbeddedEngine` (the default) runs the ``graphviz-pure`` binary that the
  ``graphviz-pure`` wheel installs: a faithful Graphviz 16.1 port with bundled fonts, so
  every machine produces the same bytes. It sends many diagrams to one process (one
  after another on its input) and runs one process per core, so start-up is paid once
  per batch.
* :class:`SystemEngine` runs the installed ``dot`` through the ``graphviz`` package, for
  teams who want their own Graphviz.

Both kill a layout that runs past a time limit and say which diagram it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

FORMATS = ("svg", "png")
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Job:
    """One diagram to lay out: a name people recognise, and its DOT source."""

    name: str
    dot: str


class EngineError(Exception):
    """The engine is missing, failed, or ran past its time limit."""


class Engine:
    """Lays out batches of :class:`Job`; subclasses say how one batch is run."""

    name = "engine"

    def __init__(self, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = timeout

    @property
    def version(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def layout(self, jobs: list[Job], fmt: str = "svg") -> list[bytes]:
        """The output of each job, in order; batches run in parallel across cores."""
        if fmt not in FORMATS:
            raise EngineError(f'unknown format "{fmt}"; use one of {", ".join(FORMATS)}')
        if not jobs:
            return []
        batches = _batches(jobs, self.jobs)
        with ThreadPoolExecutor(max_workers=min(self.jobs, len(batches))) as pool:
            results = pool.map(lambda batch: self._run_batch([jobs[i] for i in batch], fmt),
                               batches)
            out: list[bytes] = [b""] * len(jobs)
            for batch, outputs in zip(batches, results, strict=True):
                for index, data in zip(batch, outputs, strict=True):
                    out[index] = data
        return out

    def _run_batch(self, jobs: list[Job], fmt: str) -> list[bytes]:  # pragma: no cover
        raise NotImplementedError


#: Jobs sent to one process at least: each process costs a start-up.
MIN_BATCH = 16


def _batches(jobs: list[Job], workers: int) -> list[list[int]]:
    """Job indices in batches, biggest first, for ``workers`` to take one at a time.

    A graph far bigger than the rest (a journey of hundreds of steps) gets a batch of its
    own, so it starts first and the others spread over the remaining workers; the rest come in
    batches small enough (a quarter of a worker's share) that all workers finish close
    together, and large enough that process start-up stays small beside them.
    """
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].dot))
    typical = len(jobs[order[len(order) // 2]].dot)
    alone = [i for i in order if len(jobs[i].dot) > 8 * typical]
    rest = [i for i in order if len(jobs[i].dot) <= 8 * typical]
    size = max(1, min(-(-len(rest) // workers), max(MIN_BATCH, -(-len(rest) // (workers * 4)))))
    return [[i] for i in alone] + [rest[k:k + size] for k in range(0, len(rest), size)]


class EmbeddedEngine(Engine):
    name = "embedded"

    @cached_property
    def binary(self) -> str:
        return find_embedded_binary()

    @cached_property
    def version(self) -> str:
        out = _run([self.binary, "-V"], self.timeout, "graphviz-pure -V")
        return (out.stderr or out.stdout).decode("utf-8", "replace").strip()

    def _run_batch(self, jobs: list[Job], fmt: str) -> list[bytes]:
        """The batch's graphs one after another on the engine's input, their drawings
        one after another on its output. No file is made: a graph and its drawing in
        files were two new files per diagram, and on some disks making a file takes a
        millisecond of the kernel's time (2,000 of them in a cold build of 1000
        journeys). A batch that fails is laid out a graph at a time, to name the one."""
        try:
            out = _run([self.binary, f"-T{fmt}"], self.timeout * len(jobs), _names(jobs),
                       "\n".join(job.dot for job in jobs))
        except EngineError:
            if len(jobs) == 1:
                raise
            return [out for job in jobs for out in self._run_batch([job], fmt)]
        drawings = SPLITTERS[fmt](out.stdout)
        if len(drawings) != len(jobs):
            raise EngineError(f"the layout engine gave {len(drawings)} drawings for "
                              f"{len(jobs)} diagrams ({_names(jobs)})")
        return drawings


def _svg_documents(output: bytes) -> list[bytes]:
    """The SVG documents written one after another: each ends with ``</svg>`` on a
    line of its own (text in a drawing is escaped, so no label can end one early)."""
    end = b"</svg>\n"
    return [part + end for part in output.split(end)[:-1]]


def _png_images(output: bytes) -> list[bytes]:
    """The PNG images written one after another, each up to its ``IEND`` chunk."""
    images, start = [], 0
    while start < len(output):
        at = start + 8  # the signature, then chunks: length, type, data, checksum
        while at + 8 <= len(output):
            length, kind = int.from_bytes(output[at:at + 4], "big"), output[at + 4:at + 8]
            at += 12 + length
            if kind == b"IEND":
                break
        images.append(output[start:at])
        start = at
    return images


#: How the engine's output is cut into one drawing per graph, by format.
SPLITTERS = {"svg": _svg_documents, "png": _png_images}


def find_embedded_binary() -> str:
    """The ``graphviz-pure`` binary of this Python environment, else one on PATH."""
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    candidates = [
        Path(sys.executable).parent / name,
        Path(sysconfig.get_path("scripts")) / name,
        Path(sysconfig.get_path("scripts", f"{os.name}_user")) / name,
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("graphviz-pure")
    if found:
        return found
    raise EngineError("the embedded layout engine is missing: reinstall mapgen "
                      "(`pip install --force-reinstall graphviz-pure`) or use --engine system")


class SystemEngine(Engine):
    name = "system"

    @cached_property
    def version(self) -> str:
        import graphviz  # only the system engine needs it: 10 ms to import

        try:
            return ".".join(map(str, graphviz.version()))
        except graphviz.ExecutableNotFound:
            raise EngineError(
                "the system engine needs Graphviz's `dot` on PATH: install it "
                "(`apt-get install graphviz`, `brew install graphviz` or "
                "`choco install graphviz`) or use --engine embedded") from None

    def _run_batch(self, jobs: list[Job], fmt: str) -> list[bytes]:
        self.version  # noqa: B018 - fail early with the install hint
        # The graphviz package finds and versions `dot`; it cannot time a layout out,
        # so the layout itself runs here, where a runaway one can be killed.
        binary = shutil.which("dot") or "dot"
        return [_run([binary, f"-T{fmt}"], self.timeout, job.name, job.dot).stdout
                for job in jobs]


def _run(command: list[str], timeout: float, what: str,
         stdin: str | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode("utf-8") if stdin is not None else None
    try:
        out = subprocess.run(command, input=data, capture_output=True, timeout=timeout,
                             check=False)
    except subprocess.TimeoutExpired:
        raise EngineError(_timeout_message(what, timeout)) from None
    except OSError as exc:
        raise EngineError(f"cannot run {command[0]}: {exc.strerror}") from None
    if out.returncode != 0:
        detail = out.stderr.decode("utf-8", "replace").strip()
        raise EngineError(f"the layout of {what} failed: {detail}")
    return out


def _timeout_message(what: str, timeout: float) -> str:
    return (f"the layout of {what} took longer than {timeout:g} s and was stopped; "
            "simplify the journey (fewer steps or `next` edges) or raise the time limit")


def _names(jobs: list[Job]) -> str:
    return ", ".join(job.name for job in jobs)


ENGINES: dict[str, type[Engine]] = {"embedded": EmbeddedEngine, "system": SystemEngine}


def get_engine(name: str, jobs: int | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> Engine:
    try:
        return ENGINES[name](jobs=jobs, timeout=timeout)
    except KeyError:
        raise EngineError(f'unknown engine "{name}"; use "embedded" or "system"') from None
