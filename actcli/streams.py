"""Reading input as it comes: chunks of whole records (lines, or CSV records) from a file or
stdin, decompressed when the first bytes say so. A chunk is handed over as soon as the input
pauses, so output follows a slow producer line by line; on files and fast pipes chunks fill up to
CHUNK_BYTES. Standard library only: the plain-number path and the CSV stream share it.
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable, Iterator
from typing import IO

from actcli.compressed import decompressed
from actcli.errors import DataError

CHUNK_BYTES = 1 << 21  # 2 MiB: amortises per-call costs (Polars', NumPy's); memory stays flat
BOM = b"\xef\xbb\xbf"


def open_source(path: str, stdin: IO[bytes]) -> tuple[IO[bytes], str, int | None]:
    """(binary stream, name for messages, size in bytes when known), decompressed when its
    first bytes say gzip, bzip2 or zstd (the size is then unknown)."""
    if path == "-":
        handle, name, size = stdin, "<stdin>", None
    else:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as error:
            raise DataError(f"{path}: cannot read ({error.strerror or error})") from None
        name, size = path, os.fstat(handle.fileno()).st_size
    stream, compressed = decompressed(handle, owned=path != "-")
    return stream, name, None if compressed else size


class RecordReader:
    """Chunks of whole records from a binary stream, cut after a newline outside quotes.

    On a pipe a chunk is handed over as soon as the writer pauses, so a slow producer sees its
    output at once; on files and fast pipes chunks fill up to CHUNK_BYTES.
    """

    def __init__(self, stream: IO[bytes], name: str, on_progress: Callable[[int], None],
                 quoted: bool = True) -> None:
        self.stream = stream
        self.quoted = quoted  # a newline inside double quotes is part of a field (CSV)
        self.name = name
        self.buffer = bytearray()
        self.eof = False
        self.paused = False  # the last fill stopped because the writer paused: flush output now
        self.started = False
        self.failure: str | None = None  # the input broke off (a corrupt compressed file)
        self.on_progress = on_progress
        try:
            self.fd: int | None = stream.fileno()
        except (OSError, ValueError):
            self.fd = None

    def _fill(self) -> None:
        """Read until a chunk's worth is buffered, the input pauses, or it ends."""
        read1 = getattr(self.stream, "read1", self.stream.read)
        self.paused = False
        while not self.eof:
            if self.started:  # at first, bytes may wait in the stream's buffer (a peek at its
                self._wait()  # compression), where select cannot see them
            try:
                data = read1(CHUNK_BYTES)
            except DataError as error:  # the records before it are still handed over
                self.failure, data = str(error), b""
                self.buffer[self._boundary():] = b""  # an incomplete last record is not a record
            if not data:
                self.eof = True
                break
            self.on_progress(len(data))
            self.buffer += data
            if not self.started and (len(self.buffer) >= len(BOM) or self.eof):
                self.started = True  # the BOM may come split over reads: look once 3 bytes are here
                if self.buffer.startswith(BOM):
                    del self.buffer[:len(BOM)]
            if len(self.buffer) >= CHUNK_BYTES:
                break
            if not self._more_ready():
                self.paused = True
                break

    def _wait(self) -> None:
        """Block until input is ready, waking every 0.2 s: a Ctrl-C may be delivered to one of
        Polars' threads, and Python acts on it only when its main thread runs."""
        while not self._ready(0.2):
            pass

    def _ready(self, timeout: float) -> bool:
        if self.fd is None:
            return True
        try:
            return bool(select.select([self.fd], [], [], timeout)[0])
        except (OSError, ValueError):
            return True

    def _more_ready(self) -> bool:
        return self._ready(0)

    def _boundary(self) -> int:
        """End (exclusive) of the last complete record in the buffer, 0 if there is none."""
        buffer = self.buffer
        pos = buffer.rfind(b"\n")
        if pos < 0:
            return 0
        if not self.quoted or buffer.find(b'"', 0, pos) < 0:  # memchr speed; counting runs 5x slower
            return pos + 1
        quotes = buffer.count(b'"', 0, pos)
        while quotes % 2:  # that newline is inside a quoted field: try the one before
            previous = buffer.rfind(b"\n", 0, pos)
            if previous < 0:
                return 0
            quotes -= buffer.count(b'"', previous, pos)
            pos = previous
        return pos + 1

    def first_record(self) -> bytes:
        """The first record (the header), read on its own."""
        while True:
            end = self._first_boundary()
            if end or self.eof:
                break
            self._fill()
        end = end or len(self.buffer)
        record = bytes(self.buffer[:end])
        del self.buffer[:end]
        return record

    def _first_boundary(self) -> int:
        if not self.quoted:
            return self.buffer.find(b"\n") + 1
        quotes = 0
        start = 0
        while True:
            pos = self.buffer.find(b"\n", start)
            if pos < 0:
                return 0
            quotes += self.buffer.count(b'"', start, pos)
            if quotes % 2 == 0:
                return pos + 1
            start = pos + 1

    def chunks(self) -> Iterator[bytes]:
        while True:
            if not (self.paused and self._boundary()):  # else hand over what is here first
                self._fill()
            end = len(self.buffer) if self.eof else self._boundary()
            if end:
                chunk = bytes(self.buffer[:end])
                del self.buffer[:end]
                yield chunk
            if self.eof and not self.buffer:
                return
