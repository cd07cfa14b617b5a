"""Compressed streams: gzip, bzip2 and zstd, read by their first bytes and written by a file's
name. Only the standard library (and zstd's backport before Python 3.14), so that plain-number
input can be decompressed without loading the data-file engines."""

from __future__ import annotations

import io
from typing import IO, Any

from actcli.errors import DataError

COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
# First bytes of each compressed stream; no CSV starts with them (bzip2's adds its block magic).
_MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}
_BZIP2 = (b"BZh", b"1AY&SY")


def decompressed(stream: IO[bytes], owned: bool) -> tuple[IO[bytes], bool]:
    """The stream, decompressed when its first bytes say gzip, bzip2 or zstd; and whether it was.
    Closing the result closes ``stream`` when ``owned`` (a file, not stdin)."""
    peek = getattr(stream, "peek", None)
    head = peek(10)[:10] if peek is not None else b""
    decompressor: Any = None
    if head.startswith(_MAGIC["gzip"]):
        import gzip

        decompressor = gzip.GzipFile(fileobj=stream, mode="rb")
    elif head.startswith(_BZIP2[0]) and head[4:10] == _BZIP2[1]:
        import bz2

        decompressor = bz2.BZ2File(stream, "rb")
    elif head.startswith(_MAGIC["zstd"]):
        decompressor = _zstd().ZstdFile(stream, "rb")
    if decompressor is None:
        return stream, False
    return io.BufferedReader(_Checked(decompressor, stream if owned else None), 1 << 20), True


def _zstd() -> Any:
    """PEP 784's compression.zstd: the standard library's from Python 3.14, else its backport."""
    try:
        from compression import zstd
    except ImportError:
        from backports import zstd
    return zstd


class _Checked(io.RawIOBase):
    """A decompressing stream whose corruption errors (zlib.error, OSError, EOFError for a
    truncated file, ZstdError) become DataErrors; the reader adds where."""

    def __init__(self, stream: Any, source: IO[bytes] | None) -> None:
        super().__init__()
        self.stream, self.source = stream, source
        self.pending = b""  # decompressed, not yet read

    def close(self) -> None:  # the decompressor, and the file under it
        if not self.closed:
            self.stream.close()
            if self.source is not None:
                self.source.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.pending:
            try:
                self.pending = self.stream.read1(len(buffer))  # one step: what came before an error is kept
            except Exception as error:
                raise DataError(f"cannot decompress ({first_line(error)})") from None
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def compressing(raw: IO[bytes], compression: str | None) -> IO[bytes]:
    """``raw`` behind a compressor of ``compression`` (None: as it is)."""
    if compression == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="wb")  # type: ignore[return-value]
    if compression == "bz2":
        import bz2

        return bz2.BZ2File(raw, "wb")
    if compression == "zstd":
        return _zstd().ZstdFile(raw, "wb")  # type: ignore[no-any-return]
    return raw


def first_line(error: BaseException) -> str:
    """An exception's message, first line only (or its type when it has none)."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
