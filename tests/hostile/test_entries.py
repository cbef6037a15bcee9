"""Hostile entries: what a careless or hostile hand can put in a ledger, a YAML ledger,
plainbill.yaml or a client file, and what `check` says about it (issue 17 items 10-12).

Each case damages a copy of examples/freelance and runs `plainbill check` (and `build`
where the promise is about build): the right exit code, a located message with the
right code, no traceback, no source file changed (hostile_kit.hostile). Warnings exit 0,
and 1 with --strict. Everything build could choke on is found by check first.
"""
from __future__ import annotations

import time

import pytest

from hostile_kit import copy_book, hostile

DAY = "2026-11-28"   # a day with nothing else booked in the example book


def add_lines(root, *lines: str, path: str = "ledger/2026/11.txt") -> None:
    with open(root / path, "a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


def write(root, path: str, data: bytes | str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def edit(root, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")


def reports(result, code: str, severity: str = "error") -> None:
    assert f": {severity}: " in result.output and f"[{code}]" in result.output, result.output


def warns(root, code: str, located: str = "ledger/2026/11.txt"):
    """A warning: exit 0, and 1 with --strict, located."""
    result = hostile(root, "check", root, code=0, located=located)
    reports(result, code, "warning")
    hostile(root, "check", "--strict", root, code=1, located=located)
    return result


def refuses(root, code: str, located: str = "ledger/2026/11.txt"):
    result = hostile(root, "check", root, code=1, located=located)
    reports(result, code)
    return result


@pytest.fixture
def book(tmp_path):
    return copy_book(tmp_path)


# ------------------------------------------------------------ clock ranges and days

def test_range_ending_before_it_starts_is_a_warning(book):
    add_lines(book, f"{DAY} 14:30-11:00 meccanica-dora consulting @laura Analisi dei log")
    result = warns(book, "past-midnight")
    assert "14:30-11:00+1" in result.output   # the hint shows the marker


def test_range_past_midnight_said_so_is_clean_and_billed_to_the_next_day(book):
    add_lines(book, f"{DAY} 22:00-02:00+1 meccanica-dora consulting @laura Ripristino dopo l'incidente")
    hostile(book, "check", "--strict", book, code=0)
    from plainbill.load import load_book
    (e,) = [e for e in load_book(book).book.entries if e.date.isoformat() == DAY]
    assert e.minutes == 240 and e.end.day == 29 and "+1" not in e.text


def test_range_to_midnight_needs_no_marker(book):
    add_lines(book, f"{DAY} 22:00-00:00 meccanica-dora consulting @laura Finestra di manutenzione")
    hostile(book, "check", "--strict", book, code=0)


def test_marker_on_a_range_longer_than_a_day_is_refused(book):
    add_lines(book, f"{DAY} 09:00-10:00+1 meccanica-dora consulting @laura Troppo lungo")
    refuses(book, "duration-too-long")


def test_yaml_record_past_midnight_warns_unless_said_so(book):
    record = ("- {{date: {d}, start: '22:00', end: '{end}', client: meccanica-dora, activity: consulting, "
              "person: laura, description: Ripristino}}\n")
    write(book, "ledger/2026/11-notte.yaml", record.format(d=DAY, end="02:00"))
    warns(book, "past-midnight", "ledger/2026/11-notte.yaml")
    write(book, "ledger/2026/11-notte.yaml", record.format(d=DAY, end="02:00+1"))
    hostile(book, "check", "--strict", book, code=0)


def test_62_hours_in_one_day(book):
    add_lines(book, *(f"{DAY} {d} meccanica-dora consulting @laura Analisi {i}" for i, d in
                      enumerate(("10h", "10h", "24h", "18h"))))
    result = warns(book, "long-day")
    assert "62 h" in result.output and "@laura" in result.output and DAY in result.output
    assert "11.txt:19:1: warning" in result.output   # the second line crosses 14 h (17 lines before)
    assert result.output.count("[long-day]") == 1


def test_the_book_sets_the_day_limit(book):
    add_lines(book, f"{DAY} 10h meccanica-dora consulting @laura Analisi",
              f"{DAY} 6h meccanica-dora consulting @laura Report")
    warns(book, "long-day")
    edit(book, "plainbill.yaml", "payment_terms_days: 30", "payment_terms_days: 30\nmax_hours_per_day: 16")
    hostile(book, "check", "--strict", book, code=0)


def test_yaml_start_end_disagreeing_with_duration(book):
    write(book, "ledger/2026/11.yaml", f"- {{date: {DAY}, start: '09:00', end: '10:00', duration: 3h, "
                                       "client: meccanica-dora, activity: consulting, person: laura, "
                                       "description: Analisi}\n")
    result = warns(book, "duration-mismatch", "ledger/2026/11.yaml")
    assert "1 h" in result.output


def test_negative_duration(book):
    add_lines(book, f"{DAY} -2h meccanica-dora consulting @laura Analisi")
    refuses(book, "non-positive-duration")


def test_hour_25(book):
    add_lines(book, f"{DAY} 23:00-25:00 meccanica-dora consulting @laura Analisi")
    refuses(book, "invalid-time")


def test_february_30(book):
    add_lines(book, "2026-02-30 1h meccanica-dora consulting @laura Analisi")
    refuses(book, "invalid-date")


def test_a_huge_duration(book):
    add_lines(book, f"{DAY} 99999999999999999999h meccanica-dora consulting @laura Analisi")
    refuses(book, "duration-too-long")


# ------------------------------------------------------------ descriptions, quantities, amounts

def test_time_entry_without_description(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura #T-1042")
    result = refuses(book, "empty-description")
    assert "11.txt:18:48:" in result.output   # where the description would start


def test_expense_without_description(book):
    add_lines(book, f"{DAY} expense meccanica-dora @laura 95.00")
    refuses(book, "empty-description")


def test_non_billable_activity_needs_no_description(book):
    add_lines(book, f"{DAY} 1h its-piemonte/cyber-2026 prep @laura")
    hostile(book, "check", "--strict", book, code=0)


def test_qty_zero(book):
    add_lines(book, f"{DAY} expense meccanica-dora @laura 95.00 Batteria UPS qty=0")
    refuses(book, "zero-quantity")


def test_negative_markup(book):
    add_lines(book, f"{DAY} expense meccanica-dora @laura 95.00 Batteria UPS markup=-150%")
    refuses(book, "negative-markup")


def test_rate_of_25_digits_is_refused_by_check_not_a_crash_in_build(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura Analisi rate=1234567890123456789012345")
    refuses(book, "invalid-amount")
    hostile(book, "build", book, "--no-pdf", code=1)


def test_expense_of_25_digits(book):
    add_lines(book, f"{DAY} expense meccanica-dora @laura 1234567890123456789012345.00 Server")
    refuses(book, "invalid-amount")


def test_a_long_description(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura " + "parola " * 200)
    refuses(book, "description-too-long")


def test_a_5_mb_description_is_refused_quickly(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura " + "parola " * 750_000)
    start = time.perf_counter()
    result = refuses(book, "line-too-long")
    assert time.perf_counter() - start < 5
    assert max(map(len, result.output.splitlines())) < 400   # the quoted line is cut


def test_a_5_mb_yaml_description_is_refused_quickly(book):
    write(book, "ledger/2026/11.yaml", f"- {{date: {DAY}, duration: 1h, client: meccanica-dora, activity: consulting, "
                                       f"person: laura, description: \"{'parola ' * 750_000}\"}}\n")
    start = time.perf_counter()
    refuses(book, "description-too-long", "ledger/2026/11.yaml")
    assert time.perf_counter() - start < 5


def test_a_line_of_100k_key_values_stays_linear(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura Analisi " + " ".join(f"k{i}=v" for i in range(100_000)))
    start = time.perf_counter()
    refuses(book, "line-too-long")
    assert time.perf_counter() - start < 5


def test_a_5_mb_line_without_spaces(book):
    add_lines(book, f"{DAY} " + "1" * 5_000_000 + " meccanica-dora consulting @laura x")
    start = time.perf_counter()
    refuses(book, "line-too-long")
    assert time.perf_counter() - start < 5


def test_a_100k_line_file_checks_in_time(book):
    lines = [f"2026-10-{1 + i % 28:02d} {5 + i % 30}m meccanica-dora/iso27001 consulting @laura Analisi {i}"
             for i in range(100_000)]
    write(book, "ledger/2026/bulk.txt", "\n".join(lines) + "\n")
    edit(book, "plainbill.yaml", "payment_terms_days: 30", "payment_terms_days: 30\nmax_hours_per_day: 2000")
    start = time.perf_counter()
    hostile(book, "check", book, code=0)
    # About 3 s linear on a quiet machine; the quadratic version took 35 s. The bound is wide
    # so that a loaded CI machine does not fail it, and still catches the quadratic one.
    assert time.perf_counter() - start < 20


# ------------------------------------------------------------ damaged files

def test_damaged_yaml_ledger(book):
    write(book, "ledger/2026/11.yaml", f"- {{date: {DAY}, duration: 1h, client: [meccanica-dora\n")
    refuses(book, "yaml-syntax", "ledger/2026/11.yaml")


def test_duplicate_keys_in_a_record(book):
    write(book, "ledger/2026/11.yaml", f"- {{date: {DAY}, duration: 1h, duration: 9h, client: meccanica-dora, "
                                       "activity: consulting, person: laura, description: Analisi}\n")
    refuses(book, "duplicate-key", "ledger/2026/11.yaml")


def test_tabs_between_fields_are_whitespace(book):
    add_lines(book, f"{DAY}\t1h\tmeccanica-dora\tconsulting\t@laura\tAnalisi dei log")
    hostile(book, "check", "--strict", book, code=0)


def test_binary_garbage(book):
    write(book, "ledger/2026/12.txt", bytes(range(256)) * 40)
    refuses(book, "encoding", "ledger/2026/12.txt")


def test_nul_bytes_in_a_line(book):
    add_lines(book, f"{DAY} 1h meccanica-dora consulting @laura Ana\x00lisi")
    refuses(book, "invalid-character")


def test_invalid_utf8(book):
    write(book, "ledger/2026/12.txt", f"{DAY} 1h meccanica-dora consulting @laura Caff\xe8\n".encode("latin-1"))
    refuses(book, "encoding", "ledger/2026/12.txt")


def test_bom_is_accepted(book):
    write(book, "ledger/2026/12.txt", "\ufeff" + f"{DAY} 1h meccanica-dora consulting @laura Analisi\n")
    hostile(book, "check", "--strict", book, code=0)


def test_crlf_line_ends_warn(book):
    write(book, "ledger/2026/12.txt", f"{DAY} 1h meccanica-dora consulting @laura Analisi\r\n")
    warns(book, "crlf-line-ends", "ledger/2026/12.txt")


def test_yaml_1_1_booleans_are_refused(book):
    edit(book, "plainbill.yaml", "  prep: {names: {it: Preparazione materiale didattico, en: Course preparation}, "
         "billable: false}", "  prep: {names: {it: Preparazione materiale didattico, en: Course preparation}, "
         "billable: off}")
    refuses(book, "invalid-value", "plainbill.yaml")


# ------------------------------------------------------------ languages, locales, links

@pytest.mark.parametrize("word", ["no", "yes", "on"])
def test_language_read_as_a_boolean_by_yaml_1_1(book, word):
    edit(book, "clients/meccanica-dora.yaml", "language: it", f"language: {word}")
    result = refuses(book, "unknown-language", "clients/meccanica-dora.yaml")
    assert f"quote it ('{word}')" in result.output


def test_unknown_language_code(book):
    edit(book, "plainbill.yaml", "language: it", "language: klingon")
    refuses(book, "unknown-language", "plainbill.yaml")


def test_locale_with_a_dash_is_accepted_and_builds(book):
    edit(book, "clients/meccanica-dora.yaml", "language: it", "language: it\nlocale: it-IT")
    hostile(book, "check", "--strict", book, code=0)
    hostile(book, "build", book, "--no-pdf", code=0)
    from plainbill.load import load_book
    clients = load_book(book).book.clients
    assert {c.slug: c.locale for c in clients}["meccanica-dora"] == "it_IT"


def test_unknown_locale(book):
    edit(book, "plainbill.yaml", "locale: it_IT", "locale: xx_YY")
    refuses(book, "unknown-locale", "plainbill.yaml")


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "file:///etc/passwd",
                                 "https://example.com/a b", "//evil.example/x"])
def test_repository_url_must_be_http(book, url):
    edit(book, "plainbill.yaml", "payment_terms_days: 30", f"payment_terms_days: 30\nrepository_url: \"{url}\"")
    refuses(book, "invalid-url", "plainbill.yaml")


def test_https_repository_url_is_accepted(book):
    edit(book, "plainbill.yaml", "payment_terms_days: 30",
         "payment_terms_days: 30\nrepository_url: https://github.com/laura/books/blob/main")
    hostile(book, "check", "--strict", book, code=0)


def test_thousands_of_activities_and_contracts_stay_linear(book):
    """Looking up each activity's key node and comparing every pair of contracts were
    quadratic: 20,000 activities and 3,000 contracts took 35 s."""
    edit(book, "plainbill.yaml", "activities:\n", "activities:\n" + "".join(
        f"  act{i}: {{names: {{it: A{i}}}}}\n" for i in range(20_000)))
    with open(book / "clients/meccanica-dora.yaml", "a", encoding="utf-8") as f:
        f.write("".join(f"  - {{id: c{i}, kind: hourly, from: 2026-01-01, activities: [act{i}]}}\n"
                        for i in range(3_000)))
    start = time.perf_counter()
    hostile(book, "check", book, code=0)
    # About 3 s linear on a quiet machine; the quadratic version took 35 s. The bound is wide
    # so that a loaded CI machine does not fail it, and still catches the quadratic one.
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("value, code", [("0", "invalid-value"), ("no", "invalid-duration"),
                                         ("-3", "invalid-duration"), ("99999999999999999999", "invalid-duration")])
def test_a_day_limit_that_is_no_limit(book, value, code):
    edit(book, "plainbill.yaml", "payment_terms_days: 30", f"payment_terms_days: 30\nmax_hours_per_day: {value}")
    refuses(book, code, "plainbill.yaml")
