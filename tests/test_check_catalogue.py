"""The errors catalogue: one small failing book per diagnostic code, with its expected message.

tests/errors/<code>/ holds the files of a book, copied over tests/errors/_base/ (a
valid book; an empty `_nobase` file skips it), and `expected.txt`: lines that must
appear, in this order, in the text report. By default the book goes through what
`plainbill check` does; a `command.txt` such as `build {book} --period 2026-13`
runs that plainbill command instead (for codes of later stages). A `rename.txt`
(`from<TAB>to` lines, `to` with `\\xNN` escapes) gives a copied file a name git
should not hold, such as one that is not UTF-8.

Regenerate an expected.txt after an intended change of wording with
`PLAINBILL_BLESS=1 pytest tests/test_check_catalogue.py` and review the diff.
"""
from __future__ import annotations

import codecs
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

ERRORS = Path(__file__).parent / "errors"
SRC = Path(__file__).parent.parent / "src" / "plainbill"
DOCS = Path(__file__).parent.parent / "docs" / "diagnostics.md"
CASES = sorted(p.name for p in ERRORS.iterdir() if p.is_dir() and not p.name.startswith("_"))

CODE = r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"
_EMITTERS = [
    rf'(?:error|warning|info|fail|warn|Diagnostic)\(\s*"{CODE}"',
    rf'_fail\((?:self\.)?diags[^"\n]*"{CODE}"',
    rf'return\s+\(?"{CODE}",\s*(?:f?"|col|toks|\d)',
]


def emitted_codes() -> set[str]:
    """Every diagnostic code of src/: the call patterns that emit them, the loader's
    table and the registry of checks."""
    from plainbill.checks import CHECKS
    from plainbill.load.codes import LOAD_CODES

    codes = set(LOAD_CODES) | {code for c in CHECKS for code, _ in c.codes}
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in _EMITTERS:
            codes.update(re.findall(pattern, text, flags=re.M))
    return codes - {"error", "warning", "info"}


def make_book(case: str, tmp: Path) -> Path:
    book = tmp / "book"
    src = ERRORS / case
    if not (src / "_nobase").exists():
        shutil.copytree(ERRORS / "_base", book, symlinks=True)
    shutil.copytree(src, book, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt", "command.txt", "_nobase", "rename.txt"))
    if (src / "rename.txt").exists():   # names git should not hold (not UTF-8): `from<TAB>to`, to in \x escapes
        for line in (src / "rename.txt").read_text().splitlines():
            old, new = line.split("\t")
            os.rename(book / old, os.path.join(os.fsencode(book), codecs.escape_decode(new)[0]))
    return book


def report_of(case: str, book: Path) -> str:
    command = ERRORS / case / "command.txt"
    if command.exists():
        from click.testing import CliRunner

        from plainbill.cli import main
        args = [a.replace("{book}", str(book)) for a in shlex.split(command.read_text())]
        return CliRunner().invoke(main, args).output
    from plainbill.diagnostics import SourceLines, format_text, has_errors, sort_diagnostics
    from plainbill.pipeline import check_book, compute

    checked = check_book(book)
    if not has_errors(checked.diagnostics):
        compute(checked)
    return format_text(sort_diagnostics(checked.diagnostics), SourceLines(book))


@pytest.mark.parametrize("case", CASES)
def test_case_reports_its_code(case, tmp_path):
    book = make_book(case, tmp_path)
    out = report_of(case, book).replace(str(book) + os.sep, "")
    expected_file = ERRORS / case / "expected.txt"
    if os.environ.get("PLAINBILL_BLESS") or not expected_file.exists():
        first = [line for line in out.splitlines() if f"[{case}]" in line][:1]
        i = out.splitlines().index(first[0]) if first else 0
        expected_file.write_text("\n".join(out.splitlines()[i:i + 4]) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert f"[{case}]" in expected[0], f"expected.txt of {case} must start with a line of that code"
    lines = out.splitlines()
    at = 0
    for want in expected:
        assert want in lines[at:], f"missing from the report of {case}: {want!r}\n--- report:\n{out}"
        at = lines.index(want, at) + 1


def test_every_code_has_a_case_and_documentation():
    codes = emitted_codes()
    assert {"unknown-client", "yaml-syntax", "invalid-date"} <= codes   # the scanner works
    missing_case = sorted(codes - set(CASES))
    assert not missing_case, f"codes without a case in tests/errors/: {missing_case}"
    docs = DOCS.read_text(encoding="utf-8")
    undocumented = sorted(c for c in codes if f"`{c}`" not in docs)
    assert not undocumented, f"codes not in docs/diagnostics.md: {undocumented}"


def test_every_case_is_a_known_code():
    stray = sorted(set(CASES) - emitted_codes())
    assert not stray, f"cases for codes nothing emits: {stray}"


def test_generated_reference_is_up_to_date():
    from plainbill.checks import BEGIN, END, reference

    docs = DOCS.read_text(encoding="utf-8")
    generated = BEGIN + docs.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert generated == reference(), "run `python -m plainbill.checks docs/diagnostics.md`"


def test_reference_writer_runs_as_a_module(tmp_path):
    """`python -m plainbill.checks PAGE` rewrites only the generated part of the page."""
    import subprocess
    import sys

    from plainbill.checks import BEGIN, END, reference
    page = tmp_path / "diagnostics.md"
    page.write_text(f"# Head\n\n{BEGIN}\nstale\n{END}\n\nTail\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "plainbill.checks", str(page)], check=True)
    assert page.read_text(encoding="utf-8") == "# Head\n\n" + reference() + "\nTail\n"
