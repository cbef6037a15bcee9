"""Hostile legal settings: a tax code's `withholding` flag and `note` damaged one way each in a
copy of examples/freelance, and a credit note against an invoice with withholding. Each case:
the right exit code, a located message with its code, no traceback, no source file changed."""
from __future__ import annotations

import json

import pytest

from hostile_kit import copy_book, hostile, run

ESENTE = "      nature: N4\n"
NOTE_IT = "        it: \"Operazione esente da IVA ai sensi dell'art. 10, comma 1, n. 20, DPR 633/72.\"\n"


def edit(root, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text, old
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("value,code", [("maybe", "invalid-value"), ("[true]", "wrong-type"),
                                        ("{in: true}", "wrong-type"), ("20%", "invalid-value")])
def test_withholding_flag_that_is_not_a_boolean(tmp_path, value, code):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", ESENTE, ESENTE + f"      withholding: {value}\n")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert "error" in r.output


def test_withholding_false_is_read_and_changes_the_base(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", ESENTE, ESENTE + "      withholding: false\n")
    hostile(root, "build", root, "--no-render", "--client", "its-piemonte", "--period", "2026-10", code=0)
    data = json.loads((root / "build" / "invoices" / "its-piemonte-2026-10.json").read_text(encoding="utf-8"))
    assert (data["withholding"], data["withholding_base"]) == ("0.00", "0.00")


@pytest.mark.parametrize("note", ["[1, 2]", "{it: [a]}", "{it: {x: y}}"])
def test_a_note_of_the_wrong_shape(tmp_path, note):
    root = copy_book(tmp_path)
    text = (root / "plainbill.yaml").read_text(encoding="utf-8")
    start = text.index("      note:\n        it:")
    end = text.index("\n", text.index("        en:", start)) + 1
    (root / "plainbill.yaml").write_text(text[:start] + f"      note: {note}\n" + text[end:], encoding="utf-8")
    hostile(root, "check", root, code=1, located="plainbill.yaml")


def test_an_italian_note_without_the_annotation_warns_and_strict_refuses(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", NOTE_IT, "        it: \"Art. 10, comma 1, n. 20, DPR 633/72.\"\n")
    r = hostile(root, "check", root, code=0, located="plainbill.yaml")
    assert "[legal-note-wording]" in r.output and '"esent"' in r.output
    hostile(root, "check", root, "--strict", code=1, located="plainbill.yaml")


def test_a_note_without_italian_is_completed_by_the_law_and_not_warned(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", NOTE_IT, "")
    r = hostile(root, "check", root, "--strict", code=0)
    assert "legal-note-wording" not in r.output


def test_credit_note_amount_beyond_a_withholding_line(tmp_path):
    root = copy_book(tmp_path)
    assert run("issue", root, "its-piemonte-2026-10", "--date", "2026-11-02").exit_code == 0   # writes issued/
    key = "time/-/training/cyber-2026/-/60.00/normal/esente-art10"
    r = hostile(root, "credit-note", "1/2026", "--book", root, "--lines", f"{key}=960.01", "--reason", "x",
                "--date", "2026-11-20", code=1)
    assert "[credit-note-amount]" in r.output
