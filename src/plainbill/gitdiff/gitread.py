"""Reading a book straight out of git: no checkout, no working-tree changes.

`git ls-tree -r -z` lists the blobs under the book's folder, one `git cat-file
--batch` process streams them all, and the result is the {path: bytes} map
`plainbill.load.load_files` takes. Only the parts of a book the engine reads
are fetched (settings, clients, ledgers, the register).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

BOOK_PARTS = ("plainbill.yaml", "clients/", "ledger/", "issued/")


class GitError(RuntimeError):
    """git failed or is missing; the message is git's own, for the user."""


def git(args: list[str], cwd: Path, input: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return proc.stdout


def repo_root(cwd: Path) -> Path:
    return Path(git(["rev-parse", "--show-toplevel"], cwd).decode().strip())


def cwd_prefix(cwd: Path) -> str:
    """The current folder's path inside the repository ('' at its root)."""
    return git(["rev-parse", "--show-prefix"], cwd).decode().strip().strip("/")


def default_base(cwd: Path) -> str:
    """Merge base of HEAD with the default branch: origin/HEAD, else main or master."""
    candidates = []
    try:
        candidates.append(git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], cwd).decode().strip())
    except GitError:
        pass
    candidates += ["origin/main", "origin/master", "main", "master"]
    for ref in candidates:
        try:
            git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], cwd)
        except GitError:
            continue
        return git(["merge-base", ref, "HEAD"], cwd).decode().strip()
    raise GitError("no default branch found (origin/HEAD, main, master): name BASE explicitly")


def describe(rev: str, cwd: Path) -> str:
    """'main (1a2b3c4)' for messages."""
    sha = git(["rev-parse", "--short", rev + "^{commit}"], cwd).decode().strip()
    return sha if rev.startswith(sha) else f"{rev} ({sha})"


def read_tree(rev: str, prefix: str, cwd: Path) -> dict[str, bytes]:
    """{path relative to the book: content} of the book at `prefix` in revision `rev`."""
    spec = f"{rev}:{prefix}" if prefix else f"{rev}:"
    listing = git(["ls-tree", "-r", "-z", spec], cwd)
    wanted: list[tuple[str, str]] = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        _mode, kind, sha = meta.split()
        name = path.decode("utf-8", "surrogateescape")
        if kind == b"blob" and name.startswith(BOOK_PARTS):
            wanted.append((name, sha.decode()))
    if not wanted:
        return {}
    out = git(["cat-file", "--batch"], cwd, input="".join(f"{sha}\n" for _, sha in wanted).encode())
    return dict(zip((name for name, _ in wanted), _split_batch(out, len(wanted))))


def _split_batch(out: bytes, count: int) -> list[bytes]:
    """Contents out of `git cat-file --batch` output: '<sha> <type> <size>\\n<data>\\n' each."""
    blobs, pos = [], 0
    for _ in range(count):
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split()
        if len(header) != 3:
            raise GitError(f"git cat-file: {out[pos:eol].decode('utf-8', 'replace')}")
        size = int(header[2])
        blobs.append(out[eol + 1:eol + 1 + size])
        pos = eol + 1 + size + 1
    return blobs


def read_worktree(root: Path) -> dict[str, bytes]:
    """The same map from the working tree (tracked or not), for hashing settings files:
    listed and read with the loader's rules (no link out of the book is followed)."""
    from ..load.source import discover, read_sources

    paths = discover(Path(root), tuple(p.rstrip("/") for p in BOOK_PARTS))[0]
    return read_sources(Path(root), paths)[0]   # what cannot be read is the loader's to report
