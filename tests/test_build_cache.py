"""The build's two shortcuts follow every change: of an input, of plainbill's files, of a library.

There is no ledger cache and no compute cache (issue 16): a build loads and computes
everything. What it skips is keyed by the one fingerprint (plainbill/fingerprint.py):
- per invoice (the manifest): rendering, when the invoice's JSON, its page's context,
  the templates, the flags and the fingerprint are those of the last build and its
  files on disk have the recorded hashes;
- the whole build ("nothing changed"): loading and computing, when every input file,
  the options and the fingerprint are those of the last complete build and every
  file it recorded checks.
Each test changes one thing and compares with a clean build of the same inputs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plainbill import fingerprint, pipeline
from plainbill.cli import run_build

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "plainbill"


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    root.mkdir()
    for part in ("plainbill.yaml", "clients", "ledger"):   # the book before anything was issued (and paid)
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns("incassi.txt"))
        else:
            shutil.copy(src, root / part)
    (root / "ledger" / "notes.md").write_text("not a ledger file: a warning\n")
    return root


@pytest.fixture
def loads(monkeypatch) -> list:
    """How many times a build loaded the book (0: the whole-build shortcut answered)."""
    calls: list = []
    real = pipeline.check_book
    monkeypatch.setattr(pipeline, "check_book", lambda root: calls.append(root) or real(root))
    return calls


@pytest.fixture(autouse=True)
def fresh_fingerprint():
    fingerprint.forget()
    yield
    fingerprint.forget()


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def clean_build(book: Path, tmp_path: Path, *flags) -> dict[str, bytes]:
    out = tmp_path / f"clean-{len(list(tmp_path.iterdir()))}"
    assert run_build(book, out=out, **dict(flags)) == 0
    return outputs(out)


def set_vat(book: Path, rate: str) -> None:
    path = book / "plainbill.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("vat22: {rate: 22%}", f"vat22: {{rate: {rate}}}").replace(
        "vat22: {rate: 23%}", f"vat22: {{rate: {rate}}}"), "utf-8")


def amount(out: Path, inv_id: str) -> str:
    return json.loads((out / "invoices" / f"{inv_id}.json").read_text("utf-8"))["amount_due"]


NO_RENDER = {"render": False}


def test_a_warm_build_loads_nothing_and_prints_the_same_warnings(book, loads, capsys):
    assert run_build(book, **NO_RENDER) == 0
    first = capsys.readouterr().err
    assert run_build(book, **NO_RENDER) == 0
    second = capsys.readouterr().err
    assert len(loads) == 1
    strip = lambda text: [ln for ln in text.splitlines() if not ln.startswith("build:")]   # noqa: E731
    assert strip(second) == strip(first) and "warning" in first
    assert "0 files written" in second and "unchanged" in second


def test_an_input_file_changed(book, loads, tmp_path):
    out = book / "build"
    assert run_build(book, **NO_RENDER) == 0
    set_vat(book, "23%")
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 2
    assert outputs(out) == clean_build(book, tmp_path, *NO_RENDER.items())
    assert any(b'"tax_rate": "0.23"' in data for data in outputs(out).values())


def test_a_package_file_changed(book, loads, monkeypatch):
    assert run_build(book, **NO_RENDER) == 0
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 1
    real = fingerprint.package_files
    monkeypatch.setattr(fingerprint, "package_files",
                        lambda: [(rel, data + b"\n# edited\n" if rel == "load/yamlnodes.py" else data)
                                 for rel, data in real()])
    fingerprint.forget()
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 2


def test_a_dependency_version_changed(book, loads, monkeypatch):
    assert run_build(book, **NO_RENDER) == 0
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 1
    real = fingerprint.dependency_version
    monkeypatch.setattr(fingerprint, "dependency_version", lambda name: "0.0" if name == "babel" else real(name))
    fingerprint.forget()
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 2


def test_the_options_are_part_of_the_key(book, loads):
    assert run_build(book, **NO_RENDER) == 0
    assert run_build(book, render=False, strict=True) == 1 and len(loads) == 2   # warnings fail with --strict
    assert run_build(book, render=False, strict=True) == 1 and len(loads) == 3   # a failed build is not recorded
    assert run_build(book, render=False, client="kranz-logistik") == 0 and len(loads) == 4
    assert run_build(book, render=False, client="kranz-logistik") == 0 and len(loads) == 4
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 5


def test_a_damaged_output_file_is_not_answered_from_the_manifest(book, loads, tmp_path):
    out = book / "build"
    assert run_build(book, **NO_RENDER) == 0
    target = out / "invoices" / "kranz-logistik-2026-11.json"
    target.write_bytes(target.read_bytes().replace(b"22", b"23"))
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 2
    assert outputs(out) == clean_build(book, tmp_path, *NO_RENDER.items())


def test_a_forged_build_record_runs_nothing_and_is_ignored(book, loads, capsys):
    out = book / "build"
    assert run_build(book, **NO_RENDER) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["build"]["diagnostics"] = [{"code": 1}]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert run_build(book, **NO_RENDER) == 0 and len(loads) == 2


def test_issue_17_item_2_restored_manifest_and_reverted_vat(book, tmp_path):
    """build; vat22 to 23 %; build; the first manifest put back; the change reverted; build:
    the JSON and the HTML say 22 % again (before: "0 rendered, 24 unchanged" and 23 %)."""
    out = book / "build"
    flags = {"pdf": False}
    assert run_build(book, **flags) == 0
    first = (out / "manifest.json").read_bytes()
    set_vat(book, "23%")
    assert run_build(book, **flags) == 0
    (out / "manifest.json").write_bytes(first)
    set_vat(book, "22%")
    assert run_build(book, **flags) == 0
    assert outputs(out) == clean_build(book, tmp_path, *flags.items())
    assert not any(b'"0.23"' in data or b"23%" in data for data in outputs(out).values())


def _package_copy(tmp_path: Path, edit: bool) -> Path:
    """A copy of the installed package, parse_duration changed (as an upgrade would) when `edit`."""
    base = tmp_path / ("pkg-edited" if edit else "pkg")
    shutil.copytree(PACKAGE, base / "plainbill", ignore=shutil.ignore_patterns("__pycache__"))
    if edit:
        path = base / "plainbill" / "load" / "yamlnodes.py"
        text = path.read_text("utf-8")
        old = "        return int(h) * 60 + int(hm or 0)\n"
        assert old in text
        path.write_text(text.replace(old, "        return int(h) * 60 + int(hm or 0) + 15\n"), "utf-8")
    return base


def _cli_build(pythonpath: Path, book: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    done = subprocess.run([sys.executable, "-m", "plainbill", "build", str(book), "--no-render", "--out", str(out)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_issue_17_item_1_an_upgraded_loader_is_seen(book, tmp_path):
    """Change parse_duration in load/yamlnodes.py and build with the last build's folder:
    the amount follows the new code (before: the compute cache kept the old amount)."""
    plain, edited = _package_copy(tmp_path, False), _package_copy(tmp_path, True)
    out = book / "build"
    _cli_build(plain, book, out)
    before = amount(out, "kranz-logistik-2026-11")
    _cli_build(edited, book, out)
    _cli_build(edited, book, tmp_path / "clean")
    assert amount(out, "kranz-logistik-2026-11") == amount(tmp_path / "clean", "kranz-logistik-2026-11") != before
    assert outputs(out) == outputs(tmp_path / "clean")
