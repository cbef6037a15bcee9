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
                             "invoices/client0001-2026-11.json", "invoices/client0001-2026-11.xml", "manifest.json"]


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
    assert full.removed == ["invoices/client0002-2026-11.html", "invoices/client0002-2026-11.json",
                            "invoices/client0002-2026-11.xml"]   # the e-invoice too (plainbill.einvoice)
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


# ---------------------------------------------------------------- the manifest is never trusted blindly


def _manifest(book) -> dict:
    return json.loads((Path(book.root) / "build" / "manifest.json").read_text())


def test_a_file_changed_on_disk_behind_the_manifest_is_rendered_again(book):
    """Issue 17, item 2: a restored old manifest (or a killed build) never makes stale files "unchanged"."""
    out = Path(book.root) / "build"
    build(book, invoices())
    first = (out / "manifest.json").read_bytes()
    changed = invoices()
    changed[1] = sample_invoice(1, entries=5)
    build(book, changed)                                   # the JSON and HTML of client0001 now differ
    (out / "manifest.json").write_bytes(first)             # the first manifest put back
    stats = build(book, invoices())                        # the first invoices again
    assert stats.unchanged == 2 and stats.rendered == 1
    for inv in invoices():
        assert (out / f"invoices/{inv.id}.json").read_text() == inv.to_json()
    # same size, other bytes: found by the hash, not by the size
    html = out / "invoices/client0002-2026-11.html"
    html.write_bytes(html.read_bytes().replace(b"<", b"(", 1))
    assert build(book, invoices()).rendered == 1 and b"(" not in html.read_bytes()[:1]


@pytest.mark.parametrize("listed", ["../plainbill.yaml", "/etc/hostname", "../../outside.txt", "invoices/../../x",
                                    "link/escape.txt", "manifest.json"])
def test_a_manifest_path_outside_the_output_folder_is_never_read_nor_deleted(book, listed):
    """Issue 17, item 7: a crafted manifest (a CI cache shared by branches) makes a clean build."""
    root, out = Path(book.root), Path(book.root) / "build"
    build(book, invoices())
    (root / "plainbill.yaml").write_text("kept\n")
    (root.parent / "outside.txt").write_text("kept\n")
    (root.parent / "escape.txt").write_text("kept\n")
    (out / "link").symlink_to(root.parent)
    manifest = _manifest(book)
    manifest["files"][listed] = ["0" * 64, 5]
    (out / "manifest.json").write_text(json.dumps(manifest))
    stats = build(book, invoices(2))                       # client0002 no longer exists
    assert (root / "plainbill.yaml").read_text() == "kept\n"
    assert (root.parent / "outside.txt").read_text() == "kept\n" == (root.parent / "escape.txt").read_text()
    assert stats.rendered == 2 and stats.removed == []     # the manifest was ignored whole
    assert (out / "manifest.json").is_file() and listed not in _manifest(book)["files"]


@pytest.mark.parametrize("damage", [b"", b"{", b"[]", b'{"version": 2, "invoices": [], "files": {}}',
                                    b'{"version": 2, "invoices": {"x": {"key": 1}}, "files": {}}',
                                    b"\x80\x03cos\nsystem\n(S'id'\ntR.", b"[" * 100000])
def test_a_damaged_manifest_is_ignored(book, damage):
    build(book, invoices())
    (Path(book.root) / "build" / "manifest.json").write_bytes(damage)
    stats = build(book, invoices())
    assert stats.ok and stats.rendered == 3 and _manifest(book)["version"] == 2


def test_a_link_in_the_output_folder_is_never_written_through(book, tmp_path):
    out = Path(book.root) / "build"
    (tmp_path / "elsewhere").mkdir()
    out.mkdir()
    (out / "invoices").symlink_to(tmp_path / "elsewhere")
    from plainbill.output import OutputError
    with pytest.raises(OutputError, match="outside the output folder"):
        build(book, invoices())
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_temporary_files_of_a_killed_build_are_removed(book):
    out = Path(book.root) / "build"
    build(book, invoices())
    (out / "invoices" / ".client0000-2026-11.json.tmp123").write_text("half")
    (out / ".manifest.json.tmp9").write_text("half")
    build(book, invoices())
    assert not (out / "invoices" / ".client0000-2026-11.json.tmp123").exists()
    assert not (out / ".manifest.json.tmp9").exists()


def test_the_manifest_follows_the_package_files_and_the_dependency_versions(book, monkeypatch):
    """The key of every invoice is the one fingerprint: plainbill's files and the libraries' versions."""
    from plainbill import fingerprint

    build(book, invoices())
    assert build(book, invoices()).rendered == 0
    real_files = fingerprint.package_files
    monkeypatch.setattr(fingerprint, "package_files",
                        lambda: [(rel, data + b"#" if rel == "load/yamlnodes.py" else data) for rel, data in real_files()])
    fingerprint.forget()
    assert build(book, invoices()).rendered == 3          # an upgraded loader: everything again
    assert build(book, invoices()).rendered == 0
    real_version = fingerprint.dependency_version
    monkeypatch.setattr(fingerprint, "dependency_version",
                        lambda name: "999" if name == "weasyprint" else real_version(name))
    fingerprint.forget()
    assert build(book, invoices()).rendered == 3          # another WeasyPrint: everything again
    monkeypatch.undo()
    fingerprint.forget()


def test_json_made_in_two_processes_is_the_same(book, tmp_path, monkeypatch):
    from plainbill import output

    invs = invoices(6)
    serial = write_build(book, invs, tmp_path / "serial", jobs=1, render=False)
    monkeypatch.setattr(output, "PARALLEL_ROWS", 0)    # any size: the JSON made by forked workers
    forked = write_build(book, invs, tmp_path / "forked", jobs=1, render=False)
    assert forked.written == serial.written and len(serial.written) == 13   # JSON and XML of 6, the manifest
    for rel in serial.written:
        assert (tmp_path / "forked" / rel).read_bytes() == (tmp_path / "serial" / rel).read_bytes()
    again = write_build(book, invs, tmp_path / "forked", jobs=1, render=False)
    assert again.unchanged == 6 and again.written == []
