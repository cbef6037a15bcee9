"""The diagnostic codes the loader emits, with the text that documents them.

docs/diagnostics.md is generated from this table and from the registry of
checks (plainbill.checks): `python -m plainbill.checks > docs/diagnostics.md`.
"""
from __future__ import annotations

# code -> (severity, what it means and how to fix it)
LOAD_CODES: dict[str, tuple[str, str]] = {
    "missing-file": ("error", "The book has no `plainbill.yaml` at its root. Create one (`plainbill init` "
                              "writes a starting book)."),
    "io-error": ("error", "A file or folder of the book cannot be read: permissions, a link to nothing or "
                          "a link that loops, a FIFO, socket or device where a file is expected. A book "
                          "that could not be read whole is never billed, built or issued."),
    "outside-book": ("error", "A source file or folder is a link whose target lies outside the book (e.g. "
                              "to `/etc/passwd` or `../other-book/ledger`) or in one of its hidden folders "
                              "(`.git/config`). It is never read, and its "
                              "contents are never printed; copy the file into the book instead."),
    "linked-folder": ("error", "A folder among the sources is a link. Linked folders are not followed (a link "
                               "could loop or list the same ledger twice); links to files inside the book "
                               "are read."),
    "duplicate-source": ("error", "A file under `clients/` or `ledger/` is a link to another file there, "
                                  "which is read already: its records would count twice. Remove the link."),
    "book-layout": ("error", "The book's layout is wrong: `ledger` or `clients` is a file instead of a folder, "
                             "`plainbill.yaml` is a folder, or a folder under `ledger/` or `clients/` is "
                             "named like a data file (`11.txt`)."),
    "file-name": ("error", "A file name is not UTF-8 or holds a control or bidirectional character, so it "
                           "cannot be shown as it is. The name is printed with escapes (`caff\\xe8.txt`) and "
                           "the file is not read: rename it."),
    "ignored-file": ("warning", "A file under `clients/` or `ledger/` is not read because of its name: "
                                "clients are `clients/<slug>.yaml`, ledgers end in `.txt` or `.yaml` (exactly: `11.TXT` "
                                "and `11.txt~` are not read). Also a top folder spelled with other capitals "
                                "(`Ledger/`): names are case-sensitive."),
    "encoding": ("error", "The file is not UTF-8. The position of the first bad byte is given; the rest "
                          "of the file is still checked with the bad bytes replaced."),
    "crlf-line-ends": ("warning", "The file has Windows (CRLF) line ends. They are accepted; convert them "
                                  "to LF to keep diffs clean."),
    "invalid-character": ("error", "A control character in a ledger line, or a line-break character other "
                                   "than `\\n` (a lone CR, NEL, U+2028, U+2029) in a YAML file."),
    "yaml-syntax": ("error", "The YAML file cannot be parsed. The position is where the parser gave up; "
                             "the mistake is often just before it (indentation, a missing colon or quote)."),
    "duplicate-key": ("error", "A key is written twice in one mapping (YAML would silently keep the last), "
                               "or a `key=` twice on one ledger line."),
    "unknown-key": ("error", "A key plainbill does not know, with the closest known key as a hint. A key "
                             "of another contract kind says which kind it belongs to."),
    "missing-key": ("error", "A required key is missing: `issuer` and its `name`, a client's `name`, a "
                             "contract's `id`, `kind` and `from`, a rate's `rate`, a ledger record's fields."),
    "wrong-type": ("error", "A mapping, a list or a single value where another shape is expected."),
    "invalid-date": ("error", "Not a date, or an impossible one (2026-02-30). Dates are `YYYY-MM-DD`."),
    "invalid-time": ("error", "Not a time or a clock range, or an impossible one (25:00, 10:75). Times are "
                              "`HH:MM` on a 24-hour clock."),
    "invalid-duration": ("error", "Not a duration: write `90m`, `1h30m`, `1.5h` or `1:30`; durations are "
                                  "whole minutes (`1.33h` is not)."),
    "invalid-amount": ("error", "Not an amount: a decimal number with a point and no thousands separator "
                                "(`1200.50`), never negative on an expense line, and with at most 12 digits "
                                "before the point and 12 after it (numbers, quantities and percentages too)."),
    "invalid-value": ("error", "A value outside its type: a boolean that is not `true`/`false` (`yes`, `no`, "
                               "`on`, `off` are refused), a percentage, a number, a currency code, a choice "
                               "among fixed words."),
    "invalid-slug": ("error", "A name used as an identifier (client file name, project, activity, person, "
                              "contract id) that is not lower-case letters, digits, `-` and `_`."),
    "ledger-syntax": ("error", "A ledger line that does not follow the grammar; the message names the "
                               "first token that is wrong or missing."),
    "non-positive-duration": ("error", "A duration of zero, a negative duration, or a clock range whose start "
                                       "and end are equal (`22:00-22:00+1` is a whole day)."),
    "duration-too-long": ("error", "One entry longer than 24 hours (`09:00-10:00+1` too): split it into one line "
                                   "per day."),
    "stamp-duty-override": ("warning", "A tax code's `stamp_duty: true|false` says the opposite of the law's "
                                       "default for its rate and nature (docs/billing.md, Stamp duty): e.g. "
                                       "`stamp_duty: false` on an N2.1 code, or `true` on a code that charges "
                                       "VAT. The override is applied; remove it to follow the default."),
    "past-midnight": ("warning", "A clock range whose end is before its start (`14:30-11:00`), without the "
                                 "marker that says it runs past midnight: it is read as ending the next day "
                                 "(20 h 30 m here), which is more often a typo. Write `22:00-02:00+1` (in a YAML "
                                 "record `end: \"02:00+1\"`, or a date and time) when the work did run past "
                                 "midnight, else fix the times. An end at `00:00` is midnight and needs no "
                                 "marker. The marker is not part of the entry's text: adding it to a line of "
                                 "an issued invoice does not change the entry."),
    "duration-mismatch": ("warning", "A YAML record with both a `duration` and `start`/`end` that span another "
                                     "length. The duration is billed; keep one of the two, or make them agree."),
    "end-before-start": ("error", "An end before its start where both carry dates: a YAML record with dated "
                                  "`start`/`end`, a contract's or a rate's `from`/`to`, a block purchase's "
                                  "expiry, working hours. (A clock range that ends before it starts runs past "
                                  "midnight: see `past-midnight`.)"),
    "zero-quantity": ("error", "`qty=0` on an expense: zero items, yet the line would bill the whole amount "
                               "(0 x 95.00 = 95.00). Leave `qty=` out for one item, or remove the line."),
    "negative-markup": ("error", "A negative `markup` (`markup=-150%` on a line, or an expenses contract's): the "
                                 "expense would be billed below its cost, down to a negative line. Re-bill at cost "
                                 "with `0%`, or not at all with `bill=no`; a discount is an adjustment."),
    "line-too-long": ("error", "A ledger line of more than 4,000 characters: one entry, whose description says "
                               "what was done in a sentence or two. Nothing else of the line is read."),
    "description-too-long": ("error", "A description of more than 1,000 characters (a ledger line or a YAML "
                                      "record): an invoice line says what was done in a sentence or two."),
    "unknown-language": ("error", "A `language` (plainbill.yaml or a client file) plainbill writes no invoices "
                                  "in: it writes `it` and `en`. Other languages were silently rendered in "
                                  "English; `language: no` (Norwegian, and YAML 1.1's false) is the usual case."),
    "unknown-locale": ("error", "A `locale` Babel does not know (`zz_ZZ`, `no` read as a boolean by other "
                                "tools). `it-IT` is accepted and read as `it_IT`."),
    "invalid-url": ("error", "A `repository_url` that is not an `http(s)://` address (`javascript:...`, "
                             "`file:...`): it becomes a link on every invoice, so anything else is refused."),
    "cost-rate-dates": ("error", "Two cost rates of one person start on the same day (or two have no `from`): "
                                 "which one a day's work costs would be a guess. Give each its own `from`; "
                                 "the first may have none (docs/format.md, team)."),
    "payment-unknown-invoice": ("error", "A payment line names a number that is no issued invoice (a typo, "
                                         "an invoice not issued yet, or a credit note). Payments are "
                                         "received for issued invoices: fix the number, or issue the "
                                         "invoice first."),
    "payment-before-invoice": ("error", "A payment is dated before the invoice it pays was issued: the date "
                                        "or the invoice number is wrong."),
    "payment-exceeds": ("error", "The payments of one invoice add up to more than it asks (its amount due, "
                                 "less what its credit notes credited). Reported at the payment that goes "
                                 "over: check its amount and the invoice it names; a transfer that paid "
                                 "several invoices is one payment line per invoice."),
    "duplicate-id": ("error", "Two contracts of one client with the same `id`, or two files for one client."),
}
