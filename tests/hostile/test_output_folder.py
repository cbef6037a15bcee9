"""Hostile output folders and build/ contents: refused with one line (exit 2), never a traceback,
never a file read, written or deleted outside the output folder, never code run from build/."""
from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from hostile_kit import copy_book, hostile


@pytest.fixture
def root(tmp_path):
    return copy_book(tmp_path)


def _one_line_error(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("plainbill: error: "), result.output
    return lines[0]


@pytest.mark.parametrize("out", [".", "ledger", "clients", "ledger/2026", "templates", "issued", "..",
                                 "clients/build"])
def test_an_output_folder_holding_book_sources_is_refused(root, out, monkeypatch):
    monkeypatch.chdir(root)
    before = sorted(p for p in root.rglob("*"))
    result = hostile(root, "build", "--book", root, "--no-render", "--out", out, code=2)
    assert "output folder would hold the book" in _one_line_error(result)
    assert sorted(p for p in root.rglob("*")) == before      # not even a folder made


def test_the_book_root_by_its_absolute_path_is_refused(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--out", root.resolve(), code=2)
    _one_line_error(result)


def test_build_being_a_file_is_one_line_and_exit_2(root):
    (root / "build").write_text("not a folder\n")
    result = hostile(root, "build", "--book", root, "--no-render", code=2)
    assert "not a folder" in _one_line_error(result)
    assert (root / "build").read_text() == "not a folder\n"


def test_an_output_subfolder_being_a_file_is_one_line_and_exit_2(root):
    (root / "build").mkdir()
    (root / "build" / "invoices").write_text("a file\n")
    result = hostile(root, "build", "--book", root, "--no-render", code=2)
    assert "cannot write the output" in _one_line_error(result)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line_and_exit_2(root):
    (root / "build").mkdir()
    (root / "build").chmod(0o555)
    try:
        result = hostile(root, "build", "--book", root, "--no-render", code=2)
        assert "cannot write the output" in _one_line_error(result)
    finally:
        (root / "build").chmod(0o755)


def _tamper(root, listed: str) -> None:
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    manifest["files"][listed] = ["0" * 64, 1]
    (root / "build" / "manifest.json").write_text(json.dumps(manifest))


def test_a_manifest_listing_the_book_settings_deletes_nothing(root):
    hostile(root, "build", "--book", root, "--no-render", code=0)
    _tamper(root, "../plainbill.yaml")
    hostile(root, "build", "--book", root, "--no-render", code=0)     # the source snapshot is compared too
    assert (root / "plainbill.yaml").is_file()


def test_a_manifest_listing_an_absolute_path_deletes_nothing(root, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    hostile(root, "build", "--book", root, "--no-render", code=0)
    _tamper(root, str(victim))
    hostile(root, "build", "--book", root, "--no-render", code=0)
    assert victim.read_text() == "keep me\n"


def test_a_pickle_in_place_of_the_manifest_runs_nothing(root, tmp_path):
    marker = tmp_path / "ran"
    (root / "build").mkdir()
    evil = pickle.dumps(_Evil(str(marker)))
    (root / "build" / "manifest.json").write_bytes(evil)
    hostile(root, "build", "--book", root, "--no-render", code=0)
    assert not marker.exists()


class _Evil:
    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_an_old_cache_folder_in_build_is_never_read(root, tmp_path):
    marker = tmp_path / "ran"
    for sub in ("compute", "ledger"):
        folder = root / "build" / ".cache" / sub
        folder.mkdir(parents=True)
        (folder / ("f" * 64 + ".pkl")).write_bytes(pickle.dumps(_Evil(str(marker))))
    hostile(root, "build", "--book", root, "--no-render", code=0)
    assert not marker.exists()


def test_a_link_out_of_the_output_folder_is_refused_and_nothing_written_there(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "build").mkdir()
    (root / "build" / "invoices").symlink_to(elsewhere)
    result = hostile(root, "build", "--book", root, "--no-render", code=2)
    assert "outside the output folder" in _one_line_error(result)
    assert list(elsewhere.iterdir()) == []


def test_an_output_file_linked_to_a_file_outside_is_neither_read_nor_written(root, tmp_path):
    victim = tmp_path / "victim.html"
    victim.write_text("keep me\n")
    (root / "build").mkdir()
    (root / "build" / "index.html").symlink_to(victim)
    result = hostile(root, "build", "--book", root, "--no-pdf", code=2)
    _one_line_error(result)
    assert victim.read_text() == "keep me\n"


def test_a_forged_build_record_with_a_foreign_key_is_ignored(root):
    hostile(root, "build", "--book", root, "--no-render", code=0)
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    manifest["build"] = {"key": "0" * 64, "diagnostics": [{"code": "x", "severity": "error"}]}
    (root / "build" / "manifest.json").write_text(json.dumps(manifest))
    result = hostile(root, "build", "--book", root, "--no-render", code=0)
    assert "error" not in result.output.lower().replace("0 errors", "")


def test_a_fifo_among_the_sources_does_not_block_the_build(root):
    hostile(root, "build", "--book", root, "--no-render", code=0)       # a manifest with a build record
    os.mkfifo(root / "ledger" / "2026" / "pipe.txt")
    result = hostile(root, "build", "--book", root, "--no-render", code=1)
    assert "ledger/2026/pipe.txt:1:1: error:" in result.output and "[io-error]" in result.output


def test_a_source_linked_outside_the_book_is_not_read_for_the_build_key(root, tmp_path, monkeypatch):
    from plainbill import manifest

    outside = tmp_path / "outside.txt"
    outside.write_text("2026-11-03 1h x remote @y secret\n")
    (root / "ledger" / "linked.txt").symlink_to(outside)
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.resolve()) or real(self))
    assert manifest.input_key(root, {}) is None     # the full build reports the link (outside-book)
    assert outside.resolve() not in read


def test_build_being_a_link_is_refused_unless_named_with_out(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "build").symlink_to(elsewhere)
    result = hostile(root, "build", "--book", root, "--no-render", code=2)
    assert "is a link" in _one_line_error(result)
    assert list(elsewhere.iterdir()) == []
    hostile(root, "build", "--book", root, "--no-render", "--out", root / "build", code=0)   # the user's own choice
    assert (elsewhere / "manifest.json").is_file()
