"""build/: incremental, stale outputs removed, byte-identical across processes."""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plainbill.diagnostics import SourceLines, format_text
from plainbill.model import Address
from plainbill.output import write_build
from plainbill.render.sample import sample_book, sample_invoice


@pytest.fixture
def book(tmp_path):
    root = tmp_path / "book"
    (root / "templates").mkdir(parents=True)
    return sample_book(root=str(root), clients=4)


def invoices(n=3, **kw):
    return [sample_invoice(i, entries=4, **kw) for i in range(n)]


def build(book, invs, **kw):
    kw.setdefault("pdf", False)      # HTML only: PDFs are tested once, below
    return write_build(book, invs, Path(book.root) / "build", jobs=1, **kw)


def test_first_build_writes_json_html_index_assets_and_manifest(book):
    invs = invoices()
    stats = build(book, invs)
    out = Path(book.root) / "build"
    assert stats.rendered == 3 and stats.unchanged == 0 and stats.ok
    assert (out / "invoices/client0001-2026-11.json").read_text() == invs[1].to_json()
    assert "Cliente 0001 S.p.A." in (out / "invoices/client0001-2026-11.html").read_text()
    index = (out / "index.html").read_text()
    assert all(i.id in index for i in invs) and invs[0].warnings[0] in index
    assert (out / "assets/invoice.css").is_file() and (out / "assets/fonts/Inter-Regular.otf").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["invoices"]) == [i.id for i in invs]
    assert "3 rendered" in stats.summary()


def test_rebuild_renders_only_the_changed_invoice(book):
    build(book, invoices())
    again = build(book, invoices())
    assert again.rendered == 0 and again.unchanged == 3 and again.written == []

    changed = invoices()
    changed[1] = sample_invoice(1, entries=5)
    stats = build(book, changed)
    assert stats.rendered == 1 and stats.unchanged == 2
    assert stats.written == ["index.html", "invoices/client0001-2026-11.html",
                             "invoices/client0001-2026-11.json", "manifest.json"]


def test_a_changed_client_address_or_template_renders_again(book):
    build(book, invoices())
    client = book.clients[2]
    moved = dataclasses.replace(client, party=dataclasses.replace(client.party, address=Address("Via Nuova 1")))
    book2 = dataclasses.replace(book, clients=(*book.clients[:2], moved, *book.clients[3:]))
    stats = build(book2, invoices())
    assert stats.rendered == 1 and "Via Nuova 1" in (Path(book.root) / "build/invoices/client0002-2026-11.html").read_text()

    (Path(book.root) / "templates" / "invoice.css").write_text("body { color: black; }\n")
    assert build(book2, invoices()).rendered == 3


def test_deleted_output_file_is_rendered_again(book):
    build(book, invoices())
    (Path(book.root) / "build/invoices/client0000-2026-11.html").unlink()
    stats = build(book, invoices())
    assert stats.rendered == 1 and "invoices/client0000-2026-11.html" in stats.written


def test_stale_outputs_removed_but_not_in_a_partial_build(book):
    out = Path(book.root) / "build"
    build(book, invoices(3))
    partial = build(book, invoices(1), partial=True)
    assert partial.removed == [] and (out / "invoices/client0002-2026-11.html").is_file()
    assert "client0002-2026-11" in (out / "index.html").read_text()   # the index still lists all

    full = build(book, invoices(2))
    assert full.removed == ["invoices/client0002-2026-11.html", "invoices/client0002-2026-11.json"]
    assert not (out / "invoices/client0002-2026-11.json").exists()
    assert "client0002-2026-11" not in (out / "index.html").read_text()


def test_template_error_is_reported_not_raised(book):
    (Path(book.root) / "templates" / "invoice.html").write_text("{{ missing }}\n")
    stats = build(book, invoices(2))
    assert not stats.ok and len({d.message for d in stats.diagnostics}) == 1
    shown = format_text(stats.diagnostics, SourceLines(Path(book.root)))
    assert "templates/invoice.html:1:1: error" in shown
    assert "    {{ missing }}" in shown          # the template line is quoted
    assert (Path(book.root) / "build/invoices/client0000-2026-11.json").is_file()


SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from plainbill.output import write_build
    from plainbill.render.sample import sample_book, sample_invoice
    book = sample_book(root=sys.argv[1], clients=4, repository_url="https://example.com/b/blob/main")
    invs = [sample_invoice(i, entries=3, issued=bool(i % 2)) for i in range(4)]   # 4: enough for a pool
    stats = write_build(book, invs, Path(sys.argv[2]), jobs=int(sys.argv[3]))
    assert stats.ok, stats.summary()
""")


def test_pdf_and_html_are_byte_identical_across_processes(tmp_path):
    root = tmp_path / "book"
    root.mkdir()
    outs = [tmp_path / "out1", tmp_path / "elsewhere" / "out2"]
    for out, jobs in zip(outs, ("1", "2")):     # in-process and in a pool, different folders
        subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(out), jobs], check=True,
                       env={"PATH": "/usr/bin:/bin", "TZ": "Pacific/Kiritimati" if jobs == "2" else "UTC"})
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert Path("invoices/client0001-2026-11.pdf") in files
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
    pdf = outs[0] / "invoices/client0001-2026-11.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdffonts"):      # poppler: every font embedded, subset, and from the package
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts = rows.splitlines()[2:]
        assert fonts and all("+PB-" in f for f in fonts), rows   # our @font-face families only
        assert all(f.split()[-5:-3] == ["yes", "yes"] for f in fonts), rows   # emb, sub


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch):
    from plainbill.render import parallel

    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(parallel.sys, "stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert parallel.show_progress()
    monkeypatch.setenv("CI", "true")
    assert not parallel.show_progress()
    monkeypatch.delenv("CI")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert not parallel.show_progress()


def test_index_rendered_again_only_when_what_it_shows_changed(book, monkeypatch):
    from plainbill import output

    build(book, invoices())
    calls = []
    real = output._index
    monkeypatch.setattr(output, "_index", lambda *a: calls.append(1) or real(*a))
    stats = build(book, invoices())
    assert calls == [] and "index.html" not in stats.written
    changed = invoices()
    changed[1] = dataclasses.replace(changed[1], warnings=("Cap reached.",))
    stats = build(book, changed)
    assert calls == [1] and "index.html" in stats.written
    assert "Cap reached." in (Path(stats.out_dir) / "index.html").read_text("utf-8")


def test_json_written_by_a_forked_writer_is_the_same(book, tmp_path, monkeypatch):
    from plainbill import output

    invs = invoices(6)
    serial = write_build(book, invs, tmp_path / "serial", jobs=1, render=False)
    monkeypatch.setattr(output, "PARALLEL_ROWS", 0)    # any size: half the JSON in a forked child
    forked = write_build(book, invs, tmp_path / "forked", jobs=1, render=False)
    assert forked.written == serial.written and forked.serialised == 6
    for rel in serial.written:
        assert (tmp_path / "forked" / rel).read_bytes() == (tmp_path / "serial" / rel).read_bytes()
    monkeypatch.setattr(output, "_child", lambda send, work: send.close())   # a child that fails
    (tmp_path / "forked" / "manifest.json").unlink()
    again = write_build(book, invs, tmp_path / "forked", jobs=1, render=False)
    assert again.serialised == 6 and (tmp_path / "forked" / "manifest.json").read_bytes() == \
        (tmp_path / "serial" / "manifest.json").read_bytes()
