"""Shared kit of the hostile-input suite (issue "Builds you can trust").

Every case: a small real book copied into a temporary folder, damaged one way,
then a command run on it. The promises checked for each:
- no traceback (in-process: no exception escapes click; in output: no "Traceback");
- the right exit code (1 for a problem of the book, 2 for usage or I/O);
- a located message (path:line:col) where the problem has a place;
- no source file of the book changed (hashes of every file outside build/ before and after).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parents[2] / "examples" / "freelance"
LOCATED = re.compile(r"[\w./-]+:\d+:\d+: (error|warning)")


def copy_book(tmp_path: Path, source: Path = FREELANCE) -> Path:
    """A fresh copy of an example book (no build/), safe to damage."""
    root = tmp_path / "book"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build", ".cache"), symlinks=True)
    return root


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every source file of the book (build/ aside): relpath -> (sha256 or link target, mode)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] == ("build",):
            continue
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(rel_dir / name)
            if rel == "build":
                continue
            st = path.lstat()
            if path.is_symlink():
                out[rel] = ("-> " + os.readlink(path), st.st_mode)
            elif path.is_file():
                try:
                    out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mode)
                except OSError:
                    out[rel] = ("unreadable", st.st_mode)
            else:
                out[rel] = ("dir", st.st_mode)
    return out


def run(*args: str, env: dict | None = None):
    """Run the command line in this process; an exception escaping it fails the test."""
    result = CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": "", **(env or {})},
                                catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output, result.output
    return result


def hostile(root: Path, *args: str, code: int, located: str | None = None, env: dict | None = None):
    """Run a command on a damaged book: exit `code`, no source changed, and (when `located`
    is given) a message located at that path (path:line:col)."""
    before = snapshot(root)
    result = run(*args, env=env)
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"
    if located is not None:
        assert re.search(re.escape(located) + r":\d+:\d+: ", result.output), result.output
    assert snapshot(root) == before, "a source file of the book changed"
    return result
