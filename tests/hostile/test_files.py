"""Hostile files: links out of the book, unreadable folders, special files, odd names.

The promise (docs/format.md, "What is read"): plainbill reads only regular files
that resolve inside the book, never prints what it was not allowed to read, and a
book that could not be listed or read whole is an error (exit 1), so it is never
billed, built or issued.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from hostile_kit import copy_book, hostile, run

from plainbill.load.source import discover

LEDGER = "ledger/2026"
SECRET = "hunter2-do-not-print"


def build_hashes(root: Path) -> dict[str, str]:
    out = root / "build"
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".cache" not in p.parts}


def refused_everywhere(root: Path, located: str) -> None:
    """check, build and issue all stop with a located error; build/ and issued/ untouched."""
    hostile(root, "check", "--book", root, code=1, located=located)
    before = build_hashes(root)
    hostile(root, "build", "--book", root, "--no-pdf", code=1, located=located)
    assert build_hashes(root) == before, "build changed its outputs for a book it could not read"
    hostile(root, "issue", "--book", root, "--date", "2027-01-15", code=1, located=located)
    assert not (root / "issued").exists(), "issue numbered invoices of a book it could not read"


@pytest.fixture
def built(tmp_path):
    """A book built once, so a later refused build can be seen to leave build/ alone."""
    root = copy_book(tmp_path)
    hostile(root, "build", "--book", root, "--no-pdf", code=0)
    assert build_hashes(root)
    return root


# ---- links out of the book -------------------------------------------------------------

def test_ledger_link_to_etc_passwd_is_refused_and_never_printed(built):
    (built / LEDGER / "passwd.txt").symlink_to("/etc/passwd")
    refused_everywhere(built, f"{LEDGER}/passwd.txt")
    for fmt in ("text", "json", "github"):
        out = run("check", built, "--format", fmt).output
        assert "outside-book" in out and "root:" not in out and "/bin/" not in out


def test_ledger_link_to_proc_environ_never_leaks_the_environment(tmp_path):
    root = copy_book(tmp_path)
    (root / LEDGER / "env.txt").symlink_to("/proc/self/environ")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/env.txt", env={"PB_SECRET": SECRET})
    assert SECRET not in res.output and "PB_SECRET" not in res.output


def test_folder_link_to_another_book_is_refused(tmp_path):
    root = copy_book(tmp_path)
    other = copy_book(tmp_path / "other")
    (root / "ledger" / "shared").symlink_to(os.path.relpath(other / "ledger", root / "ledger"))
    res = hostile(root, "check", "--book", root, code=1, located="ledger/shared")
    assert "outside the book" in res.output


def test_client_file_link_outside_is_refused(tmp_path):
    root = copy_book(tmp_path)
    outside = tmp_path / "stolen.yaml"
    outside.write_text(f"name: {SECRET}\n")
    (root / "clients" / "stolen.yaml").symlink_to(outside)
    res = hostile(root, "check", "--book", root, code=1, located="clients/stolen.yaml")
    assert SECRET not in res.output


def test_settings_link_outside_is_refused(tmp_path):
    root = copy_book(tmp_path)
    real = tmp_path / "settings.yaml"
    (root / "plainbill.yaml").rename(real)
    (root / "plainbill.yaml").symlink_to(real)
    res = hostile(root, "check", "--book", root, code=1, located="plainbill.yaml")
    assert "outside-book" in res.output and "missing-file" not in res.output


def test_issued_record_link_outside_is_refused(tmp_path):
    root = copy_book(tmp_path)
    (root / "issued").mkdir()
    (root / "issued" / "x.json").symlink_to("/etc/passwd")
    res = hostile(root, "check", "--book", root, code=1, located="issued/x.json")
    assert "root:" not in res.output


def test_quoted_lines_never_come_from_outside_the_book(tmp_path):
    """Even a diagnostic whose ref points through a link is not quoted (SourceLines)."""
    from plainbill.diagnostics import SourceLines, SourceRef

    root = copy_book(tmp_path)
    (root / "ledger" / "x.txt").symlink_to("/etc/passwd")
    os.mkfifo(root / "ledger" / "fifo.txt")
    lines = SourceLines(root)
    assert lines.line(SourceRef("ledger/x.txt", 1, 1)) is None
    assert lines.line(SourceRef("../../../../etc/passwd", 1, 1)) is None
    assert lines.line(SourceRef("/etc/passwd", 1, 1)) is None
    assert lines.line(SourceRef("ledger/fifo.txt", 1, 1)) is None   # returns at once
    assert lines.line(SourceRef(f"{LEDGER}/11.txt", 2, 1)).startswith("2026-11-03")


def test_link_into_the_git_folder_is_refused(tmp_path):
    """In CI, .git/config can hold the checkout's token: a link into it is outside the book."""
    root = copy_book(tmp_path)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (root / LEDGER / "12.txt").symlink_to("../../.git/config")
    res = hostile(root, "check", "--book", root, "--format", "github", code=1, located=None)
    assert "outside-book" in res.output and SECRET not in res.output
    hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/12.txt")


def test_ledger_link_to_another_ledger_file_would_bill_twice(tmp_path):
    root = copy_book(tmp_path)
    (root / LEDGER / "current.txt").symlink_to("11.txt")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/current.txt")
    assert "duplicate-source" in res.output


def test_link_to_a_file_inside_the_book_is_read(tmp_path):
    """Decided: a link to a regular file inside the book is read, under the link's name."""
    from plainbill.load import load_book

    root = copy_book(tmp_path)
    before = [(e.ref, e.minutes) for e in load_book(root).book.entries]
    (root / "archive").mkdir()
    (root / LEDGER / "10.txt").rename(root / "archive" / "10.txt")
    (root / LEDGER / "10.txt").symlink_to("../../archive/10.txt")
    hostile(root, "check", "--book", root, code=0)
    assert [(e.ref, e.minutes) for e in load_book(root).book.entries] == before
    assert f"{LEDGER}/10.txt" in discover(root)[0]


# ---- links that loop or lead nowhere -----------------------------------------------------

def test_symlink_loop_to_the_ledger_folder_is_refused(tmp_path):
    root = copy_book(tmp_path)
    (root / "ledger" / "a").symlink_to(".")   # ledger/a -> ledger
    res = hostile(root, "check", "--book", root, code=1, located="ledger/a")
    assert "ledger/a:1:1: error: `ledger/a` is a link to a folder" in res.output and "ledger/a/" not in res.output


def test_self_loop_and_dangling_links_are_errors(tmp_path):
    root = copy_book(tmp_path)
    (root / LEDGER / "loop.txt").symlink_to("loop.txt")
    (root / LEDGER / "gone.txt").symlink_to("nowhere.txt")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/loop.txt")
    assert f"{LEDGER}/gone.txt:1:1: error: " in res.output and "link to nothing" in res.output


# ---- unreadable folders and files -------------------------------------------------------

def test_unreadable_ledger_folder_stops_check_build_and_issue(built, monkeypatch):
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith(LEDGER):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    refused_everywhere(built, LEDGER)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_chmod_000_ledger_folder(built):
    folder = built / LEDGER
    folder.chmod(0)
    try:
        refused_everywhere(built, LEDGER)
    finally:
        folder.chmod(0o755)


def test_unreadable_ledger_file_stops_the_build(built, monkeypatch):
    real_open = os.open

    def guarded(path, flags, *args, **kw):
        if os.fspath(path).endswith(f"{LEDGER}/11.txt"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", guarded)
    refused_everywhere(built, f"{LEDGER}/11.txt")


def test_fifo_in_the_ledger_does_not_hang(tmp_path):
    root = copy_book(tmp_path)
    os.mkfifo(root / LEDGER / "12.txt")
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("reading a FIFO blocked"))
    signal.alarm(20)
    try:
        res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/12.txt")
    finally:
        signal.alarm(0)
    assert "a FIFO, not a regular file" in res.output


# ---- the book's layout ------------------------------------------------------------------

def test_ledger_as_a_plain_file(tmp_path):
    root = copy_book(tmp_path)
    text = (root / LEDGER / "11.txt").read_text()
    for p in sorted((root / "ledger").rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    (root / "ledger").rmdir()
    (root / "ledger").write_text(text)
    res = hostile(root, "check", "--book", root, code=1, located="ledger")
    assert "book-layout" in res.output


def test_clients_as_a_plain_file(tmp_path):
    root = copy_book(tmp_path)
    for p in (root / "clients").iterdir():
        p.unlink()
    (root / "clients").rmdir()
    (root / "clients").write_text("name: Acme\n")
    hostile(root, "check", "--book", root, code=1, located="clients")


def test_settings_as_a_folder(tmp_path):
    root = copy_book(tmp_path)
    (root / "plainbill.yaml").unlink()
    (root / "plainbill.yaml").mkdir()
    res = hostile(root, "check", "--book", root, code=1, located="plainbill.yaml")
    assert "book-layout" in res.output and "missing-file" not in res.output


def test_empty_settings_file(tmp_path):
    root = copy_book(tmp_path)
    (root / "plainbill.yaml").write_text("")
    hostile(root, "check", "--book", root, code=1, located="plainbill.yaml")


def test_folder_named_like_a_ledger_file(tmp_path):
    root = copy_book(tmp_path)
    (root / LEDGER / "12.txt").mkdir()
    hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/12.txt")


def test_binary_garbage_in_a_client_file(tmp_path):
    root = copy_book(tmp_path)
    (root / "clients" / "its-piemonte.yaml").write_bytes(bytes(range(256)) * 4 + b"\x1b]0;pwned\x07")
    res = hostile(root, "check", "--book", root, code=1, located="clients/its-piemonte.yaml")
    assert "\x1b" not in res.output and "\x07" not in res.output


def test_terminal_escapes_in_a_ledger_line_are_shown_escaped(tmp_path):
    root = copy_book(tmp_path)
    with open(root / LEDGER / "11.txt", "a") as f:
        f.write("2026-11-30 1h its-piemonte/cyber-2026 prep @laura \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe\n")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/11.txt")
    assert "\x1b" not in res.output and "\u202e" not in res.output and "\\x1b[2J" in res.output


# ---- names ------------------------------------------------------------------------------

def latin1_book(tmp_path: Path) -> Path:
    root = copy_book(tmp_path)
    name = os.path.join(os.fsencode(root / LEDGER), b"caff\xe8.txt")
    os.rename(root / LEDGER / "11.txt", name)
    return root


def test_latin1_file_name_is_a_located_error_everywhere(tmp_path):
    root = latin1_book(tmp_path)
    shown = f"{LEDGER}/caff\\xe8.txt"
    res = hostile(root, "check", "--book", root, code=1, located=shown)
    assert "file-name" in res.output
    hostile(root, "build", "--book", root, "--no-pdf", code=1, located=shown)
    hostile(root, "issue", "--book", root, "--date", "2027-01-15", code=1, located=shown)
    out = hostile(root, "check", "--book", root, "--format", "json", code=1).output
    assert any(d["path"] == shown for d in json.loads(out))
    gh = hostile(root, "check", "--book", root, "--format", "github", code=1).output
    assert f"::error file={shown}%2C" not in gh and f"::error file={shown},line=1,col=1,title=file-name::" in gh


def test_control_characters_in_a_file_name(tmp_path):
    root = copy_book(tmp_path)
    (root / LEDGER / "11.txt").rename(root / LEDGER / "a\nb\u202e.txt")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/a\\nb\\u202e.txt")
    assert "\u202e" not in res.output


def test_client_file_names_with_spaces_or_accents(tmp_path):
    root = copy_book(tmp_path)
    (root / "clients" / "its-piemonte.yaml").rename(root / "clients" / "its piemonte.yaml")
    (root / "clients" / "meccanica-dora.yaml").rename(root / "clients" / "meccànica.yaml")
    res = hostile(root, "check", "--book", root, code=1, located="clients/its piemonte.yaml")
    assert "clients/meccànica.yaml:1:1: error: " in res.output and "invalid-slug" in res.output


def test_uppercase_extension_and_editor_leftovers(tmp_path):
    """Hidden files (an editor's `.#11.txt` lock link, `.11.txt.swp`) are skipped silently;
    any other file whose name is not a ledger's (`12.TXT`, `11.txt~`) is an ignored-file warning."""
    root = copy_book(tmp_path)
    (root / LEDGER / ".#11.txt").symlink_to("laura@host.1234:1700000000")   # Emacs lock: dangling
    (root / LEDGER / ".11.txt.swp").write_bytes(b"\x00vim swap")
    (root / LEDGER / "11.txt~").write_text("2026-11-03 9h its-piemonte/cyber-2026 prep @laura old\n")
    (root / LEDGER / "12.TXT").write_text("2026-12-01 1h its-piemonte/cyber-2026 prep @laura x\n")
    res = hostile(root, "check", "--book", root, code=0)
    assert f"{LEDGER}/12.TXT:1:1: warning: this file is not read [ignored-file]" in res.output
    assert f"{LEDGER}/11.txt~:1:1: warning: " in res.output
    assert ".#11" not in res.output and ".swp" not in res.output
    hostile(root, "check", "--book", root, "--strict", code=1)


# ---- size and depth ---------------------------------------------------------------------

def test_a_thousand_empty_files_are_fast(tmp_path):
    root = copy_book(tmp_path)
    for i in range(1000):
        (root / LEDGER / f"empty-{i:04}.txt").write_bytes(b"")
    start = time.perf_counter()
    hostile(root, "check", "--book", root, code=0)
    assert time.perf_counter() - start < 10
    assert len(discover(root)[0]) > 1000


def test_deep_nesting_is_read_without_recursion(tmp_path):
    root = copy_book(tmp_path)
    deep = root / "ledger" / "/".join(["d"] * 300)
    deep.mkdir(parents=True)
    (root / LEDGER / "11.txt").rename(deep / "11.txt")
    files, diags = discover(root)
    assert diags == [] and any(f.endswith("/d/11.txt") for f in files)
    hostile(root, "check", "--book", root, code=0)


def test_device_file_in_the_ledger_is_never_opened(tmp_path):
    root = copy_book(tmp_path)
    try:
        os.mknod(root / LEDGER / "12.txt", 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    res = hostile(root, "check", "--book", root, code=1, located=f"{LEDGER}/12.txt")
    assert "a character device, not a regular file" in res.output


def test_unreadable_issued_folder_is_an_error(tmp_path, monkeypatch):
    root = copy_book(tmp_path)
    (root / "issued" / "2026").mkdir(parents=True)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("issued/2026"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    hostile(root, "check", "--book", root, code=1, located="issued/2026")
    hostile(root, "issue", "--book", root, "--date", "2027-01-15", code=1, located="issued/2026")
    assert list((root / "issued").rglob("*.json")) == []


def test_control_characters_quoted_in_messages_are_escaped(tmp_path):
    """A YAML key written with escapes (`"\\e]0;x\\a"`) reaches the unknown-key message."""
    root = copy_book(tmp_path)
    with open(root / "clients" / "its-piemonte.yaml", "a") as f:
        f.write('"\\e]0;pwned\\a\\e[2J\\n::error::forged": 1\n')
    for fmt in ("text", "github"):
        res = hostile(root, "check", "--book", root, "--format", fmt, code=1, located=None)
        assert "\x1b" not in res.output and "\x07" not in res.output
        assert not any(line.startswith("::error::forged") for line in res.output.splitlines())
    hostile(root, "check", "--book", root, code=1, located="clients/its-piemonte.yaml")


def test_settings_as_a_fifo_or_a_dangling_link(tmp_path):
    root = copy_book(tmp_path)
    (root / "plainbill.yaml").unlink()
    os.mkfifo(root / "plainbill.yaml")
    hostile(root, "check", "--book", root, code=1, located="plainbill.yaml")
    (root / "plainbill.yaml").unlink()
    (root / "plainbill.yaml").symlink_to("settings-gone.yaml")
    res = hostile(root, "check", "--book", root, code=1, located="plainbill.yaml")
    assert "link to nothing" in res.output


def test_ledger_folder_link_outside_and_clients_folder_link_inside(tmp_path):
    root = copy_book(tmp_path)
    (root / "ledger").rename(tmp_path / "ledger")
    (root / "ledger").symlink_to(tmp_path / "ledger")
    (root / "clients").rename(root / "people")
    (root / "clients").symlink_to("people")
    res = hostile(root, "check", "--book", root, code=1, located="ledger")
    assert "ledger:1:1: error: `ledger` is a link that leads outside the book" in res.output
    assert "clients:1:1: error: `clients` is a link to a folder" in res.output


def test_upper_case_ledger_folder_is_not_silently_left_out(tmp_path):
    root = copy_book(tmp_path)
    (root / "ledger").rename(root / "Ledger")
    res = hostile(root, "check", "--book", root, code=0)
    assert "Ledger:1:1: warning: `Ledger` is not read" in res.output and "rename it to `ledger`" in res.output


# ---- the same rules in a git revision (plainbill diff) --------------------------------------

def test_links_and_names_in_a_git_revision_follow_the_disk_rules(tmp_path):
    """A revision is read from git's blobs (nothing on disk is opened); its links are followed
    inside the tree with the rules of the disk, and give the same errors at the same paths."""
    import subprocess

    from plainbill.gitdiff.gitread import read_tree
    from plainbill.load import load_book, load_files

    root = copy_book(tmp_path)
    (root / "archive").mkdir()
    (root / LEDGER / "10.txt").rename(root / "archive" / "10.txt")
    (root / LEDGER / "10.txt").symlink_to("../../archive/10.txt")   # followed
    (root / LEDGER / "p.txt").symlink_to("/etc/passwd")            # outside-book
    (root / LEDGER / "git.txt").symlink_to("../../.github/token")  # hidden: outside-book
    (root / ".github").mkdir()
    (root / ".github" / "token").write_text(SECRET)
    (root / "ledger" / "loop").symlink_to("../ledger")            # linked-folder
    (root / LEDGER / "gone.txt").symlink_to("nowhere.txt")         # io-error
    (root / LEDGER / "again.txt").symlink_to("11.txt")             # duplicate-source
    (root / LEDGER / "12.txt").write_text("")
    os.rename(root / LEDGER / "12.txt", os.path.join(os.fsencode(root / LEDGER), b"caff\xe8.txt"))
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "book"], cwd=root, check=True)

    tree = read_tree("HEAD", "", root)
    revision = load_files(tree)
    disk = load_book(root)
    errors = lambda r: sorted((str(d.ref), d.code) for d in r.diagnostics if d.code != "duplicate-entry")
    assert errors(revision) == errors(disk) == [
        (f"{LEDGER}/again.txt:1:1", "duplicate-source"), (f"{LEDGER}/caff\\xe8.txt:1:1", "file-name"),
        (f"{LEDGER}/git.txt:1:1", "outside-book"), (f"{LEDGER}/gone.txt:1:1", "io-error"),
        (f"{LEDGER}/p.txt:1:1", "outside-book"), ("ledger/loop:1:1", "linked-folder")]
    assert tree[f"{LEDGER}/10.txt"] == (root / "archive" / "10.txt").read_bytes()
    assert len(revision.book.entries) == len(disk.book.entries) > 0


def test_credit_note_on_a_book_with_a_link_outside_writes_nothing(tmp_path):
    root = copy_book(tmp_path)
    first = run("issue", root, "--date", "2027-01-15")
    assert first.exit_code == 0, first.output
    records = sorted((root / "issued").rglob("*.json"))
    number = json.loads(records[0].read_text())["number"]
    (root / LEDGER / "passwd.txt").symlink_to("/etc/passwd")
    before = {p: p.read_bytes() for p in (root / "issued").rglob("*") if p.is_file()}
    res = hostile(root, "credit-note", number, "--book", root, "--reason", "test", "--date", "2027-01-20",
                  code=1, located=f"{LEDGER}/passwd.txt")
    assert "root:" not in res.output
    assert {p: p.read_bytes() for p in (root / "issued").rglob("*") if p.is_file()} == before


def test_template_names_and_links_stop_check_before_build(tmp_path):
    """Rendering reads templates/; check lists it first, so build never meets these."""
    root = copy_book(tmp_path)
    (root / "templates").mkdir()
    open(os.path.join(os.fsencode(root / "templates"), b"caff\xe8.css"), "w").close()
    (root / "templates" / "s.css").symlink_to("/etc/shadow")
    res = hostile(root, "check", "--book", root, code=1, located="templates/caff\\xe8.css")
    assert "templates/s.css:1:1: error: " in res.output and "outside-book" in res.output
    hostile(root, "build", "--book", root, "--no-pdf", code=1, located="templates/s.css")
    assert not (root / "build" / "invoices").exists() and not (root / "build" / "assets").exists()
