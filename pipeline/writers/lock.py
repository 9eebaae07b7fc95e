"""One run at a time per output month: a lock file ``output/.<YYYY-MM>.lock``.

The lock file is created exclusively and holds the owner's PID and host. A lock whose
process no longer exists on this host is stale (a crashed run) and is taken over.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any, Callable, Iterator


class RunLocked(Exception):
    """Another run is writing the same output month."""


def lock_path(output_dir: Path, month: str) -> Path:
    return Path(output_dir) / f".{month}.lock"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # exists, owned by someone else
        return True
    return True


def _owner(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _is_stale(owner: dict) -> bool:
    if owner.get("host") not in (None, socket.gethostname()):
        return False          # another machine's run: cannot check, assume alive
    try:
        return not _alive(int(owner.get("pid", 0)))
    except (TypeError, ValueError):
        return True


@contextlib.contextmanager
def output_lock(output_dir: Path, month: str, on_stale: Callable[[dict], Any] | None = None) -> Iterator[Path]:
    """Hold the month lock while the body runs; raise :class:`RunLocked` if a live run holds it.
    ``on_stale`` is called with the owner (pid, host, since) of a stale lock taken over: a run
    that was killed or crashed, which the caller tells the steward about."""
    path = lock_path(output_dir, month)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            if not owner and time.time() - path.stat().st_mtime < 5:
                time.sleep(0.2)   # the owner may be writing its details right now
                owner = _owner(path)
            if owner.get("pid") == os.getpid() and owner.get("host") == socket.gethostname():
                raise RunLocked(f"本进程已在写出 {month} 的结果，不能重复写出")
            if owner and not _is_stale(owner):
                raise RunLocked(
                    f"另一个处理任务（进程 {owner.get('pid')}，开始于 {owner.get('since', '未知时间')}）"
                    f"正在写出 {month} 的结果，请等它结束后再运行。"
                    f"如确认没有任务在运行，可删除锁文件 {path}")
            with contextlib.suppress(FileNotFoundError):
                path.unlink()     # stale: the owner crashed
            if owner and on_stale is not None:
                on_stale(owner)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh, ensure_ascii=False)
        break
    else:
        raise RunLocked(f"无法取得 {month} 输出的锁文件 {path}，请稍后再试")
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            if _owner(path).get("pid") == os.getpid():
                path.unlink()
