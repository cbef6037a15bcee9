"""`plainbill diff`: which invoices a change of the book moves, by how much, and why.

Both revisions are read straight from git (never checked out), checked and
computed through the pipeline (compute_book, of the files or of the folder), in two
processes when the machine has two cores, then compared invoice by invoice. A
revision that does not check is not compared: `run_diff` says which and why,
and exits 1. Public API: `diff_revisions(repo, base, head, book) -> DiffResult`
and `run_diff(...)` for the CLI.
"""
from __future__ import annotations

from pathlib import Path

from ..terminal import EXIT_OK, EXIT_PROBLEMS, say, usage_error
from .compare import DiffResult, compare
from .gitread import GitError, cwd_prefix, default_base, describe, read_tree, repo_root
from .report import format_json, format_markdown, format_text
from .snapshot import Snapshot, snapshot_files, snapshot_worktree

__all__ = ["DiffResult", "diff_revisions", "run_diff"]

WORKTREE = None   # HEAD given as None means the working tree


def side(repo: Path, rev: str | None, book: str) -> Snapshot:
    """Compute one side: a revision read from git, or the working tree when rev is None."""
    if rev is None:
        return snapshot_worktree("working tree", repo / book if book else repo)
    files = read_tree(rev, book, repo)
    return snapshot_files(describe(rev, repo), files, root=str(repo / book if book else repo))


def diff_revisions(repo: Path, base: str, head: str | None, book: str = "") -> DiffResult:
    """Both sides through the same pipeline, one after the other, then compared.

    (Sides were once computed in two processes; only digests could cross the process
    boundary cheaply, which took a protocol of its own. One process is plain, and a diff
    costs about two builds without rendering, the target of benchmarks/bench_diff.py.)"""
    return compare(side(repo, base, book), side(repo, head, book))


def run_diff(base: str | None, head: str | None, *, book: str = "", fmt: str = "text",
             exit_code: bool = False, cwd: Path | None = None) -> int:
    cwd = Path(cwd or Path.cwd())
    try:
        repo = repo_root(cwd)
        book = _in_repo(repo, cwd, book) if book else cwd_prefix(cwd)
        if not (repo / book / "plainbill.yaml").is_file() and head is None:
            return usage_error(f"{repo / book}: not a book (no plainbill.yaml); use --book")
        base = base or default_base(repo)
        result = diff_revisions(repo, base, head, book)
    except GitError as exc:
        return usage_error(f"git: {exc}")
    refused = [snap for snap in (result.base, result.head) if not snap.computed]
    if refused:
        for snap in refused:
            _does_not_check(snap)
        return EXIT_PROBLEMS
    formatter = {"text": format_text, "markdown": format_markdown, "json": format_json}[fmt]
    say(formatter(result), nl=False)
    if result.base.error_count or result.head.error_count:
        return EXIT_PROBLEMS   # a revision that does not check (say, an edit to an issued invoice), shown above
    # like `git diff --exit-code`: without the flag a successful diff exits 0
    return EXIT_PROBLEMS if exit_code and result.changes else EXIT_OK


def _in_repo(repo: Path, cwd: Path, book: str) -> str:
    """--book PATH (relative to the current folder, as for every command) as a path inside
    the repository; a path given from the repository's root, as `diff` once took it, still works."""
    candidates = [c for c in (cwd / book, repo / book) if c.is_dir()] or [cwd / book]
    for candidate in candidates:
        try:
            rel = candidate.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            continue
        return "" if rel == "." else rel
    raise GitError(f"{book}: not inside the repository {repo}")


def _does_not_check(snap: Snapshot) -> None:
    """Say which revision cannot be compared and why, instead of a diff that would list
    every one of its invoices as removed."""
    say(f"plainbill: error: cannot diff: {snap.label} does not check ({snap.error_count} "
        f"error{'s' if snap.error_count != 1 else ''}), so its invoices cannot be computed:", err=True)
    for line in snap.errors:
        say(f"  {line}", err=True)
    if snap.error_count > len(snap.errors):
        say(f"  ... and {snap.error_count - len(snap.errors)} more", err=True)
