"""Files a build writes, written so that a kill or a full disk never leaves a half-written one behind.

Every file goes to a temporary name beside its target, is flushed to disk (fsync) and renamed over the
target: a reader sees the old file or the new one, never a prefix.  Cache files that are *reused* (the
export's per-graph chunks) carry a checksum of their content in a first line instead of being fsynced,
checked on every reuse, so a damaged one is made again instead of being copied into ``graph.trig``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHECKSUM_PREFIX = b"# cnkg-sha256 "


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is; not every platform lets us open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: str | Path, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside ``target`` to write in any way; it replaces ``target`` when the block ends
    without error.  On an error (or a full disk, or a kill) ``target`` is left as it was.

    ``durable``: flushed to disk (fsync of the file and its folder) before and after the rename, so that a
    power cut leaves the old file or the new one.  A kill needs no fsync (the kernel keeps what was
    written); checksummed cache files (:func:`write_checked`) skip it, a damaged one being made again."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        if durable:
            with open(tmp, "rb") as written:
                os.fsync(written.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_open(target: str | Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file that replaces ``target`` when the block ends without error
    (:func:`atomic_path`)."""
    with atomic_path(target, durable) as tmp, open(tmp, "wb") as handle:
        yield handle


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_open(target) as handle:
        handle.write(data)


def write_text(target: str | Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_checked(target: str | Path, data: bytes) -> None:
    """Write a reusable cache file: a checksum line, then ``data`` (see :func:`read_checked`).  Not fsynced:
    the checksum catches what a power cut may leave (a build of 1,000 issues spent ~8 s in the fsyncs of
    its export chunks)."""
    digest = hashlib.sha256(data).hexdigest().encode("ascii")
    with atomic_open(target, durable=False) as handle:
        handle.write(CHECKSUM_PREFIX + digest + b"\n")
        handle.write(data)


def read_checked(path: str | Path) -> bytes | None:
    """The content of a file written by :func:`write_checked`; None when it is missing, unreadable or damaged."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    head, sep, data = raw.partition(b"\n")
    if not sep or not head.startswith(CHECKSUM_PREFIX):
        return None
    if hashlib.sha256(data).hexdigest().encode("ascii") != head[len(CHECKSUM_PREFIX) :]:
        return None
    return data


def remove_stale_temporaries(directory: str | Path) -> None:
    """Remove temporary files a killed writer left in ``directory`` (``.NAME.PID.tmp``, ``.NAME.partial``);
    only while no other writer can be at work there (the build holds the store's lock)."""
    try:
        entries = [*Path(directory).glob(".*.tmp"), *Path(directory).glob(".*.partial")]
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            entry.unlink()
