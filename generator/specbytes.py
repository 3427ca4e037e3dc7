"""The bytes of a spec: read from regular files only, within the size limit, as UTF-8.

A FIFO (which would block), a device (which may never end) or a folder is refused before a
byte is read; the size limit holds while reading, whatever the file claims its size is; the
text must be UTF-8 (UTF-16 and UTF-32 are named as such), with the bad byte located.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import Diagnostic, MrgenError, TroubleError
from generator.fsafe import kind

MAX_BYTES = 1024 * 1024  # a 100-region spec is ~40 KiB; anything near 1 MiB is a mistake

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-16/32 text (editors on some systems save it): by its byte-order mark, or by the
    NUL bytes that ASCII characters carry in it."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:64]
    if len(head) >= 8 and head.count(0) * 2 >= len(head):
        nul_bytes = {i % 4 for i, byte in enumerate(head) if byte == 0}
        return "UTF-32" if len(nul_bytes) == 3 else "UTF-16"
    return None


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``index``."""
    start = raw.rfind(b"\n", 0, index) + 1
    return raw.count(b"\n", 0, index) + 1, len(raw[start:index].decode("utf-8", "replace")) + 1


def decode(raw: bytes, file: str, size: int | None = None, what: str = "the spec") -> str:
    """Bytes to text: UTF-8 only (a BOM is tolerated), with the bad byte located.
    ``size`` is the file's whole size when ``raw`` holds only its first bytes."""
    if len(raw) > MAX_BYTES:
        line, col = _byte_position(raw, MAX_BYTES)
        raise MrgenError(
            [
                Diagnostic(
                    file,
                    line,
                    col,
                    "",
                    f"{what} is "
                    f"{max(size or 0, len(raw))} bytes; the limit is "
                    f"{MAX_BYTES} bytes, reached here",
                )
            ]
        )
    encoding = _wide_encoding(raw)
    if encoding:
        raise MrgenError(
            [
                Diagnostic(
                    file,
                    1,
                    1,
                    "",
                    f"{what} is {encoding} text; mrgen reads UTF-8 only: save the file as UTF-8",
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MrgenError(
            [
                Diagnostic(
                    file,
                    line,
                    col,
                    "",
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded",
                )
            ]
        ) from None


def read_regular(path: Path | str, name: str, limit: int = MAX_BYTES) -> tuple[bytes, int]:
    """The first ``limit + 1`` bytes of a regular file, and its size. Anything else (a FIFO
    that would block, /dev/zero that never ends, a folder) is refused before a byte is read;
    the limit holds while reading, whatever the file claims its size is."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise TroubleError([Diagnostic(name, 0, 0, "", "no such file")]) from None
    except OSError as exc:
        raise TroubleError([Diagnostic(name, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TroubleError(
                [
                    Diagnostic(
                        name,
                        0,
                        0,
                        "",
                        f"is {kind(info.st_mode)}, "
                        "not a regular file; mrgen reads specs from files",
                    )
                ]
            )
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks), max(info.st_size, total)
    except OSError as exc:
        raise TroubleError([Diagnostic(name, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    finally:
        os.close(fd)
