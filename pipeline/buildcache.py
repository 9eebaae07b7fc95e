"""Indexes built from the rule tables, kept across runs (README, "Speed").

The region index takes ~0.3 s CPU to build from rules/regions/*.csv and ~0.09 s to load
back, on every run, for a 300-row month as for a million. :func:`built_once` keeps what a
build returns in the user's cache folder, under a key made of everything the build reads: its
arguments (the tables and settings themselves, not their file names), the source of the
whole package that builds it, and the Python version. A changed table, setting or module is a new
key, so a stale index is never read; a file that cannot be read is rebuilt and rewritten.

The folder is ``$CRM_PIPELINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/crm-pipeline``, else
``~/.cache/crm-pipeline``; ``CRM_PIPELINE_CACHE_DIR=off`` builds every time. Only the
newest :data:`KEEP` files of a name are kept.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, TypeVar

T = TypeVar("T")

ENV = "CRM_PIPELINE_CACHE_DIR"
OFF = ("off", "0", "no", "false")
#: newest files kept per name (a few rule sets side by side, e.g. tests with their own tables)
KEEP = 8


def cache_dir() -> Path | None:
    """Where built indexes are kept; None when caching is off."""
    own = os.environ.get(ENV)
    if own is not None:
        return None if own.strip().lower() in OFF or not own.strip() else Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "crm-pipeline"


@lru_cache(maxsize=None)
def _source_digest(package_dir: str) -> str:
    """sha256 over the Python sources of a whole package (the code that builds the index and
    every class its objects are made of; ~3 ms)."""
    h = hashlib.sha256()
    root = Path(package_dir)
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _plain(value: Any) -> Any:
    """``value`` with read-only mappings (the frozen settings) as dicts, for its pickle."""
    kind = type(value)
    if kind is MappingProxyType or kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if kind is tuple or kind is list:
        return kind(_plain(v) for v in value)
    return value


def _key(name: str, build: Callable, args: tuple, kwargs: dict) -> str:
    package = sys.modules[build.__module__.partition(".")[0]]
    h = hashlib.sha256()
    h.update(f"{name}\0{build.__module__}.{build.__qualname__}\0{sys.version}\0".encode())
    h.update(_source_digest(str(Path(package.__file__).parent)).encode())
    for part in (args, sorted(kwargs.items())):   # the tables, then the settings
        try:
            data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
        except TypeError:                             # a read-only mapping among them
            data = pickle.dumps(_plain(part), protocol=pickle.HIGHEST_PROTOCOL)
        h.update(data)
    return h.hexdigest()[:32]


def _load(path: Path) -> Any:
    enabled = gc.isenabled()
    gc.disable()                 # hundreds of thousands of small objects, no cycles among them
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def _store(folder: Path, path: Path, value: Any, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)             # readers see the old file or the whole new one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    older = sorted(folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP:]:
        stale.unlink(missing_ok=True)


def built_once(name: str, build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``build(*args, **kwargs)``, read back from the cache folder when the same build with the
    same arguments and the same code ran before. Arguments must be picklable (their pickle is
    the key). Any failure to read or write the cache falls back to building."""
    folder = cache_dir()
    if folder is None:
        return build(*args, **kwargs)
    try:
        path = folder / f"{name}-{_key(name, build, args, kwargs)}.pickle"
    except (pickle.PicklingError, TypeError, AttributeError):
        return build(*args, **kwargs)
    if path.is_file():
        try:
            return _load(path)
        except Exception:            # truncated, from another version, unreadable: build it anew
            pass
    value = build(*args, **kwargs)
    try:
        _store(folder, path, value, name)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass                         # a read-only home or an unpicklable index: nothing is kept
    return value


def warm() -> None:
    """Build what a run keeps in the cache folder (the region and industry indexes, the report's compiled
    template) for the installed rules, so the first run after installation reads them too
    (`make install` runs ``python -m pipeline.buildcache``)."""
    from .normalize.compiled import compiled
    from .rules import load_rules
    from .writers import report

    compiled(load_rules())
    report._env().get_template(report.TEMPLATE)


if __name__ == "__main__":
    warm()
