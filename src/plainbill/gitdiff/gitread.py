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
    """{path relative to the book: content} of the book at `prefix` in revision `rev`.

    Links are followed inside the tree with the rules of the disk (load.source): a link
    that leads out of the book, to a folder or to nothing is left out, and the returned
    SourceTree carries its error for load_files to report."""
    from ..load.source import SourceTree, resolve_tree_links

    spec = f"{rev}:{prefix}" if prefix else f"{rev}:"
    listing = git(["ls-tree", "-r", "-z", spec], cwd)
    blobs: dict[str, str] = {}
    links: dict[str, str] = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob":
            (links if mode == b"120000" else blobs)[path.decode("utf-8", "surrogateescape")] = sha.decode()
    link_text = {name: data.decode("utf-8", "surrogateescape") for name, data in _cat(links, cwd).items()}
    wanted_links = [name for name in links if name.startswith(BOOK_PARTS)]
    targets, problems = resolve_tree_links(link_text, blobs, wanted_links)
    wanted = {name: sha for name, sha in blobs.items() if name.startswith(BOOK_PARTS)}
    wanted.update({link: blobs[target] for link, target in targets.items()})
    return SourceTree(_cat(wanted, cwd), problems)


def _cat(shas: dict[str, str], cwd: Path) -> dict[str, bytes]:
    """{name: content} of {name: blob sha}, through one `git cat-file --batch`."""
    if not shas:
        return {}
    out = git(["cat-file", "--batch"], cwd, input="".join(f"{sha}\n" for sha in shas.values()).encode())
    return dict(zip(shas, _split_batch(out, len(shas))))


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
