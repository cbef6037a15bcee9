"""The command line over the pipeline: pipeline.py strings the stages together without
click and returns values; cli.py and terminal.py own output and exit codes. (Selections
that select nothing by mistake: tests/hostile/test_pipeline.py.)"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plainbill import pipeline

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "plainbill"
FREELANCE = ROOT / "examples" / "freelance"


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    return root


def test_pipeline_runs_without_click():
    """Importing the pipeline and running every stage of it loads no click: output and exit
    codes belong to the command line."""
    code = ("import sys; from pathlib import Path; from plainbill import pipeline; "
            f"c = pipeline.compute_book(Path({str(FREELANCE)!r})); assert c.invoices, c; "
            "print('click' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


def test_pipeline_source_does_not_import_click():
    tree = ast.parse((SRC / "pipeline.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "click" for name in names)
    assert "print(" not in (SRC / "pipeline.py").read_text(encoding="utf-8")


AREA = ["pipeline.py", "cli.py", "terminal.py", "explain.py", "register/commands.py", "gitdiff/__init__.py",
        "scaffold.py", "schema.py"]


@pytest.mark.parametrize("rel", AREA)
def test_commands_import_no_private_name(rel):
    """A command reaches another module through its public names only."""
    tree = ast.parse((SRC / rel).read_text(encoding="utf-8"))
    private = [f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level
               for a in n.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert not private


def test_check_files_and_check_book_agree(book):
    """The two entry points share one body: the same book, read from disk or given as bytes,
    checks the same way (templates aside, which a diff does not render)."""
    files = {p.relative_to(book).as_posix(): p.read_bytes() for p in book.rglob("*") if p.is_file()}
    on_disk, given = pipeline.check_book(book), pipeline.check_files(files, str(book))
    assert on_disk.diagnostics == given.diagnostics
    assert pipeline.compute(on_disk) == pipeline.compute(given)


def test_compute_book_stops_at_errors(book):
    (book / "ledger" / "2026" / "11.txt").write_text("2026-11-31 1h meccanica-dora x @me oops\n")
    computed = pipeline.compute_book(book)
    assert computed.invoices is None and computed.problem is None
    assert any(d.severity.value == "error" for d in computed.diagnostics)


def test_build_returns_values_and_prints_nothing(book, capsys):
    built = pipeline.build(book, render=False)
    assert built.ok and built.problem is None and built.stats.invoices > 0
    assert capsys.readouterr() == ("", "")


def test_one_path_out():
    """Every command returns its exit code; only cli.exit_with exits (one sys.exit in src/)."""
    calls = [f"{path.relative_to(SRC)}:{n.lineno}" for path in sorted(SRC.rglob("*.py"))
             for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "exit"]
    assert calls == [f"cli.py:{_line_of('sys.exit(')}"], calls


def _line_of(text: str) -> int:
    return next(i for i, line in enumerate((SRC / "cli.py").read_text(encoding="utf-8").splitlines(), 1)
                if text in line)
