"""Templates compiled ahead: a build's templates compiled by a forked process while this
one reads the specs.

Compiling a theme's templates (Jinja source to Python code) takes a fifth of a second of
CPU, on the longest path of every build that renders a page: a one-journey change at
1000 journeys spends a sixth of its time there. Yet while the specs are read, the other
core is idle. So a build forks, before reading anything, a process that compiles each
template of the theme and sends its code back through a pipe; the build's Jinja
environment takes it from there (:class:`CompiledAhead`, a Jinja bytecode cache that
never dumps) and compiles itself only what did not come.

The code never touches the disk: a cache folder holds data only, never code (a poisoned
CI cache must not run anything). It comes from a process forked from this one, so from
the same interpreter and the same mapgen, and each template's code is taken only while
the source the build reads has the checksum the code was compiled from.

:meth:`Templates.compile_ahead` starts it; ``mapgen build`` passes the result to
:func:`mapgen.site.build.build`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from mapgen.cache import JSON, Cache, digest
from mapgen.site.theme import THEME_PREFIX, Theme, ThemeError, load_theme

#: Each message: the lengths of the bucket's key, the source's checksum and the code.
_HEADER = struct.Struct("<III")
#: How much the pipe holds (Linux's most, unless raised): the code of the default theme's
#: templates is some 220 kB, and the build reads none of it until its first page.
PIPE_SIZE = 1 << 20
#: The cache kind of the order the last build asked for its templates in (their names:
#: data), so that the forked process compiles first what the build wants first.
ORDER_KIND = "template-order"


@dataclass(frozen=True)
class Templates:
    """A theme's Jinja environment made before the specs are read, its templates being
    compiled meanwhile by a forked process (see the module's text)."""

    theme: Theme
    environment: jinja2.Environment
    #: Where the order of the last build is kept, and the order it gave.
    cache: Cache | None = None
    known: tuple[str, ...] = ()

    @classmethod
    def compile_ahead(cls, root: Path, cache: Cache | None = None) -> Templates | None:
        """The templates of the workspace at ``root``, compiling; None when its config or
        theme cannot be read as they are (the build then says what is wrong). With
        ``cache``, in the order the last build asked for them."""
        from mapgen.workspace import read_config

        config = read_config(root)[2]
        if config is None:
            return None
        try:
            theme = load_theme(root, config.theme.name, config.theme.custom_dir,
                               config.theme.options)
        except ThemeError:
            return None
        known = cache.get(ORDER_KIND, _order_name(theme), ORDER_KIND, JSON) if cache else None
        known = tuple(str(name) for name in known) if isinstance(known, list) else ()
        names = theme.page_templates()
        first = [name for name in known if name in set(names)]
        environment = theme.environment()
        environment.bytecode_cache = CompiledAhead.start(
            environment, first + [name for name in names if name not in first])
        return cls(theme, environment, cache, known)

    def close(self) -> None:
        """End the compiling process, done or not; keep the order the build asked in."""
        ahead = self.environment.bytecode_cache
        if not isinstance(ahead, CompiledAhead):
            return
        ahead.close()
        if self.cache is not None and ahead.asked and tuple(ahead.asked) != self.known:
            self.cache.put(ORDER_KIND, _order_name(self.theme), ORDER_KIND, ahead.asked, JSON)
            self.cache.save()


def _order_name(theme: Theme) -> str:
    return digest(*map(str, theme.layers))


class CompiledAhead(BytecodeCache):
    """The code of the templates a forked process compiles, read as the build asks for
    them (see the module's text). :meth:`close` ends the process."""

    def __init__(self, pid: int, pipe: BinaryIO):
        self._pid = pid
        self._pipe: BinaryIO | None = pipe
        #: Code sent but not asked for yet: bucket key -> (checksum, marshalled code).
        self._waiting: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()  # pages may be rendered by more than one thread
        #: The templates asked for, in order.
        self.asked: list[str] = []

    @classmethod
    def start(cls, environment: jinja2.Environment,
              names: list[str]) -> CompiledAhead | None:
        """Fork the process compiling the templates ``names`` of ``environment``, in that
        order; None where a fork is not safe (threads running, whose locks it could copy
        held) or not there."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        import fcntl  # POSIX, as fork is

        from mapgen.workspace import ignore_interrupts, interrupts_held

        read_end, write_end = os.pipe()
        with contextlib.suppress(AttributeError, OSError):  # else it writes as it is read
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        with interrupts_held():  # Ctrl-C is this process's to handle: it ends the child
            pid = os.fork()
            if pid == 0:  # the forked process: compile, send, and leave without cleaning up
                ignore_interrupts()
                os.close(read_end)
                _compile_all(environment, names, write_end)
        os.close(write_end)
        return cls(pid, os.fdopen(read_end, "rb"))

    def get_bucket(self, environment: jinja2.Environment, name: str,
                   filename: str | None, source: str) -> Bucket:
        with self._lock:
            if name not in self.asked:
                self.asked.append(name)
        return super().get_bucket(environment, name, filename, source)

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            found = self._waiting.pop(bucket.key, None) or self._read_until(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = marshal.loads(found[1])

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Nothing: compiled here, the code is kept by the environment, never elsewhere."""

    def _read_until(self, key: str) -> tuple[str, bytes] | None:
        """Read the pipe until the code of ``key`` comes, keeping what comes before it;
        None when the process has sent everything (or failed) without it."""
        while self._pipe is not None:
            message = _receive(self._pipe)
            if message is None:
                self.close()
                return None
            sent_key, checksum, code = message
            if sent_key == key:
                return checksum, code
            self._waiting[sent_key] = (checksum, code)
        return None

    def close(self) -> None:
        """End the process, done or not, and let go of the pipe."""
        if self._pipe is None:
            return
        self._pipe.close()
        self._pipe = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def _compile_all(environment: jinja2.Environment, names: list[str], pipe: int) -> None:
    """In the forked process: compile each template and send its code, then exit."""
    status = 0
    try:
        with os.fdopen(pipe, "wb") as out:
            for name in names:
                message = _compiled(environment, name)
                if message is not None:
                    out.write(message)
                    out.flush()
    except BaseException:  # noqa: BLE001 (the build compiles what it lacks itself)
        status = 1
    os._exit(status)


def _compiled(environment: jinja2.Environment, name: str) -> bytes | None:
    """The message carrying the code of template ``name``; None when it does not compile
    (the build then compiles it, and says what is wrong)."""
    loader = environment.loader
    assert loader is not None
    # a theme's own template under a custom folder (``!theme/base.html``) is loaded, and
    # compiled, by its name in the theme (``base.html``)
    local = name.split("/", 1)[1] if name.startswith(f"{THEME_PREFIX}/") else name
    try:
        source, filename, _ = loader.get_source(environment, name)
        code = environment.compile(source, local, filename)
    except jinja2.TemplateError:
        return None
    cache = BytecodeCache()
    key = cache.get_cache_key(local, filename).encode()
    checksum = cache.get_source_checksum(source).encode()
    data = marshal.dumps(code)
    return _HEADER.pack(len(key), len(checksum), len(data)) + key + checksum + data


def _receive(pipe: BinaryIO) -> tuple[str, str, bytes] | None:
    """The next message from the pipe, or None at its end (or a message cut short)."""
    header = pipe.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    lengths = _HEADER.unpack(header)
    body = pipe.read(sum(lengths))
    if len(body) < sum(lengths):
        return None
    key_end = lengths[0]
    checksum_end = key_end + lengths[1]
    return (body[:key_end].decode(), body[key_end:checksum_end].decode(),
            body[checksum_end:])
