"""Safe issuing (issue 13), replayed on a fresh `init` book: an internal pseudo-client is never
numbered, a retainer written with the date its contract began does not number the fee-only
months before the work, a period older than the client's last issued one is held back."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

RETAINER = """name: Cantina Belvedere S.r.l.
vat_number: IT05556667778
address: {street: Via dei Vigneti 3, city: Asti, postal_code: "14100", province: AT, country: IT}
sdi_code: XYZ9876
rates: [{rate: 55.00}]
contracts:
  - {id: assistenza, kind: retainer, from: 2026-09-01, fee: 300.00, included: 5h, extra_rate: 50.00, rollover: lapse}
"""
INTERNAL = "name: Lavoro interno\ninternal: true\nrates: [{rate: 40.00}]\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": ""})


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    assert run("init", root).exit_code == 0
    (root / "clients" / "cantina-belvedere.yaml").write_text(RETAINER)
    (root / "clients" / "interno.yaml").write_text(INTERNAL)
    with (root / "ledger" / "2026" / "11.txt").open("a") as f:
        f.write("2026-11-10 2h cantina-belvedere remote @alex Backup check\n"
                "2026-11-12 1h interno remote @alex Laptop setup\n")
    return root


def drafts(result, prefix="would issue "):
    return [line.split()[3 if prefix.startswith("would") else 2]
            for line in result.stdout.splitlines() if line.startswith(prefix)]


def test_internal_clients_and_fee_only_months_are_not_numbered(book):
    result = run("issue", "--book", book, "--date", "2026-12-01", "--dry-run")
    assert result.exit_code == 0, result.output
    assert drafts(result) == ["cantina-belvedere-2026-11", "example-client-2026-11"]
    assert "not numbered, internal client (`internal: true` in its clients/ file): interno-2026-11" in result.stderr
    assert "held back, only a contract's fee for a month before the client's first entry" in result.stderr
    assert "cantina-belvedere-2026-09, cantina-belvedere-2026-10" in result.stderr
    real = run("issue", "--book", book, "--date", "2026-12-01")
    assert real.exit_code == 0 and [line.split()[2] for line in real.stdout.splitlines()] == drafts(result)


def test_a_fee_only_month_named_is_issued_and_the_draft_says_why_it_was_held(book):
    built = run("build", "--book", book, "--no-render")
    assert built.exit_code == 0, built.output
    held = (book / "build" / "invoices" / "cantina-belvedere-2026-09.json").read_text()
    assert "billing.start" in held     # the draft's warning, in its JSON (and on the index page)
    result = run("issue", "--book", book, "cantina-belvedere-2026-09", "--date", "2026-12-01", "--dry-run")
    assert result.exit_code == 0 and drafts(result) == ["cantina-belvedere-2026-09"]


def test_billing_start_leaves_the_months_billed_elsewhere_out(book):
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text().replace("billing:\n", "billing:\n  start: 2026-11\n"))
    assert run("check", "--book", book).exit_code == 0
    run("build", "--book", book, "--no-render")
    assert not (book / "build" / "invoices" / "cantina-belvedere-2026-09.json").exists()
    result = run("issue", "--book", book, "--date", "2026-12-01", "--dry-run")
    assert "held back" not in result.stderr and "cantina-belvedere-2026-11" in drafts(result)


@pytest.mark.parametrize("value", ["2026-13", "november", "2026-11-31"])
def test_billing_start_is_validated(book, value):
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text().replace("billing:\n", f"billing:\n  start: {value}\n"))
    result = run("check", "--book", book)
    assert result.exit_code == 1 and "plainbill.yaml:" in result.output and "[invalid-date]" in result.output


def test_a_period_older_than_the_last_issued_one_is_held_back(book):
    assert run("issue", "--book", book, "--date", "2026-12-01").exit_code == 0
    # October work written after November was issued: a draft for October of a client already billed for November
    with (book / "ledger" / "2026" / "11.txt").open("a") as f:
        f.write("2026-10-20 1h example-client remote @alex Forgotten October call\n")
    result = run("issue", "--book", book, "--date", "2026-12-02", "--dry-run")
    assert "held back: example-client-2026-10 is for a period older than example-client-2026-11" in result.stderr
    assert "example-client-2026-10" not in drafts(result)
    named = run("issue", "--book", book, "example-client-2026-10", "--date", "2026-12-02")
    assert named.exit_code == 1 and "--allow-older" in named.stderr and not named.stdout
    allowed = run("issue", "--book", book, "example-client-2026-10", "--date", "2026-12-02", "--allow-older")
    assert allowed.exit_code == 0 and "example-client-2026-10" in allowed.stdout


def test_an_unknown_draft_exits_2_with_a_suggestion(book):
    result = run("issue", "--book", book, "cantina-belvedere-2026-9", "--date", "2026-12-01")
    assert result.exit_code == 2 and "did you mean cantina-belvedere-2026-09" in result.stderr
    run("issue", "--book", book, "--date", "2026-12-01")
    again = run("issue", "--book", book, "example-client-2026-11", "--date", "2026-12-01")
    assert again.exit_code == 2 and "example-client-2026-11 is already issued as 2026/0002" in again.stderr


def test_a_changed_rate_hint_does_what_it_says(book):
    assert run("issue", "--book", book, "--date", "2026-12-01").exit_code == 0
    client = book / "clients" / "example-client.yaml"
    original = client.read_text()
    client.write_text(original.replace("{activity: remote, rate: 60.00}", "{activity: remote, rate: 65.00}"))
    check = run("check", "--book", book)
    assert check.exit_code == 1 and "[issued-invoice-changed]" in check.output
    assert "a rate or contract with `from: 2026-12-01`" in check.output
    client.write_text(original.replace("{activity: remote, rate: 60.00}",
                                       "{activity: remote, rate: 60.00}\n  - {activity: remote, rate: 65.00, from: 2026-12-01}"))
    assert run("check", "--book", book).exit_code == 0
