"""`plainbill issue` and `plainbill credit-note`: the only commands that write records.

Both hold the register's lock for their whole run (a second run exits 2 at once),
roll back what an interrupted run left, run check and compute and refuse while
the book has errors, so a number is consumed only by a document that can be
issued. Every record is validated before the first one is written, and all are
written or none (journal.py); "issued" is printed only after the commit.
"""
from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..diagnostics import has_errors
from ..money import round_money
from ..pipeline import book_problem, compute_book, period_problem
from ..terminal import EXIT_OK, EXIT_PROBLEMS, report, say, usage_error, usage_report
from .credit import plan_credit_note
from .issue import before_the_work, nothing_to_bill, older_than_issued, plan_issue, select_drafts
from .settle import only_frozen_errors_of, restore, unsettled
from .journal import LOCK, Busy, JournalError, LockError, commit, locked, rollback
from .records import Record, lock_path


def parse_day(text: str | None) -> date | None:
    """--date D; None when absent. Raises ValueError on a bad date."""
    return date.fromisoformat(text) if text else None


def _prepare(root: Path, fmt: str, period=None, client=None):
    """Check and compute; (checked, invoices) or an exit code when the book is not clean."""
    computed = compute_book(root, period=period, client=client)
    if computed.problem:
        return None, usage_error(computed.problem)
    if has_errors(computed.diagnostics):
        report(root, computed.diagnostics, fmt)
        say("plainbill: nothing issued: the book has errors (no number was used)", err=True)
        return None, EXIT_PROBLEMS
    return (computed.checked, computed.invoices), EXIT_OK


def _exclusive(command: str, root: Path, work, dry_run: bool = False) -> int:
    """Run `work()` holding the register's lock, after undoing what an interrupted run left
    (not in a dry run, which writes nothing: check then reports the interrupted run)."""
    problem = book_problem(root)
    if problem:
        return usage_error(problem)
    try:
        with locked(root):
            problem = None if dry_run else _repair(root)
            return usage_error(problem) if problem else work()
    except Busy:
        return usage_error(f"another `plainbill issue` or `credit-note` is writing this book's register "
                           f"({LOCK} is locked): nothing issued; run it again once that one has finished")
    except LockError as exc:
        return usage_error(f"cannot lock the register ({LOCK}): {exc}; nothing issued")


def _repair(root: Path) -> str | None:
    """Roll back an interrupted run (its journal and temporary files), saying so; why not, if it fails."""
    try:
        removed = rollback(root)
    except JournalError:
        return None   # check_book reports it (issued-interrupted) and nothing is issued
    except OSError as exc:
        return (f"cannot roll back an interrupted run: {exc.strerror or exc} ({exc.filename or ''}); "
                "nothing issued")
    if removed:
        shown = ", ".join(removed[:4]) + (f" and {len(removed) - 4} more" if len(removed) > 4 else "")
        say(f"plainbill: rolled back an interrupted run: removed {len(removed)} file(s) "
            f"it had left ({shown}); none of them had been issued", err=True)


def _write(root: Path, records: list[Record], command: str) -> int:
    """All records and their draft locks, or none of them."""
    files = []
    for r in records:
        files.append((r.ref.path, r.to_json()))
        if r.series == "invoice":
            files.append((lock_path(r.draft), r.number + "\n"))
    try:
        commit(root, files, command)
    except FileExistsError as exc:
        return usage_error(f"{exc} is in the way of the register: nothing issued")
    except OSError as exc:
        return usage_error(f"cannot write the register: {exc.strerror or exc} "
                           f"({exc.filename or ''}); nothing issued")
    return EXIT_OK


def run_issue(root: Path, *, period=None, client=None, on: date | None = None,
              drafts: tuple[str, ...] = (), fmt: str = "text", dry_run: bool = False,
              allow_older: bool = False) -> int:
    on = on or date.today()
    bad = period_problem(period)
    if bad:
        return usage_report(root, [bad], fmt)
    return _exclusive("issue", root,
                      lambda: _issue(root, period, client, on, drafts, fmt, dry_run, allow_older), dry_run)


def _leave_out(chosen: list, test, why: str) -> list:
    """The drafts that pass; the others named on stderr with `why`."""
    out = [inv.id for inv in chosen if test(inv)]
    if out:
        say(f"plainbill: {why}: {', '.join(out)}", err=True)
    return [inv for inv in chosen if inv.id not in out]


def unknown_drafts(unknown: list[str], invoices) -> str:
    """No such draft: the close draft ids (difflib), or why none is offered."""
    open_ = sorted(inv.id for inv in invoices if inv.kind == "invoice" and not inv.number)
    issued = {inv.id: inv.number for inv in invoices if inv.kind == "invoice" and inv.number}
    parts, guessed = [], True
    for name in unknown:
        if name in issued:
            parts.append(f"{name} is already issued as {issued[name]}")
            continue
        close = difflib.get_close_matches(name, open_, n=3, cutoff=0.6)
        guessed = guessed and bool(close)
        parts.append(f"no draft {name}" + (f"; did you mean {', '.join(close)}?" if close else
                                          " (not in the selected period/client)" if open_ else "; no draft is open"))
    listed = not guessed and 0 < len(open_) <= 8
    return "; ".join(parts) + (f"; the open drafts are {', '.join(open_)}" if listed else "")


def _issue(root: Path, period, client, on: date, drafts: tuple[str, ...], fmt: str, dry_run: bool,
           allow_older: bool = False) -> int:
    prepared, code = _prepare(root, fmt, period, client)
    if prepared is None:
        return code
    checked, invoices = prepared
    chosen, unknown = select_drafts(invoices, on, drafts)
    candidates = len(chosen)
    if unknown:
        return usage_error(unknown_drafts(unknown, invoices))
    internal = {c.slug for c in checked.book.clients if c.internal}
    chosen = _leave_out(chosen, lambda inv: inv.client in internal,
                        "not numbered, internal client (`internal: true` in its clients/ file)")
    chosen = _leave_out(chosen, nothing_to_bill, "not numbered, nothing to bill (every line 0.00)")
    if not drafts:   # drafts named on the command line are asked for
        early = {inv.id for inv in before_the_work(chosen, invoices)}
        chosen = _leave_out(chosen, lambda inv: inv.id in early,
                            "held back, only a contract's fee for a month before the client's first entry "
                            "(issue one by name if it is due; if those months were billed elsewhere, set "
                            "`billing: {start: YYYY-MM}` in plainbill.yaml and they are not drafted)")
    older = older_than_issued(chosen, checked.register)
    if older and not allow_older:
        for inv, last in older:
            say(f"plainbill: {'error' if drafts else 'held back'}: {inv.id} is for a period older than "
                f"{last.draft}, already issued as {last.number}", err=True)
        if drafts:   # asked for by name: all or nothing
            say("plainbill: nothing issued; if that period really was never invoiced, run again with "
                "--allow-older", err=True)
            return EXIT_PROBLEMS
        say("plainbill: held back drafts are not numbered; issue one by name with --allow-older "
            "(`plainbill issue DRAFT --allow-older`) if it is due", err=True)
        held = {inv.id for inv, _ in older}
        chosen = [inv for inv in chosen if inv.id not in held]
    if not chosen:
        say("plainbill: nothing left to issue (see above)" if candidates else
            f"plainbill: nothing to issue (no draft whose period ended by {on})", err=True)
        return EXIT_OK
    records, diags = plan_issue(checked.book, checked.register, chosen, on)
    if diags:
        report(root, diags, fmt)
        return EXIT_PROBLEMS
    if dry_run:   # the very records a real run would write, numbers included; nothing written
        for r in records:
            say(f"would issue {r.number}  {r.draft}  {dict(r.totals)['total']} {r.currency}  -> {r.ref.path}")
        say(f"plainbill: dry run: {len(records)} draft(s) would be issued; nothing written", err=True)
        return EXIT_OK
    code = _write(root, records, "issue")
    if code != EXIT_OK:
        return code
    for r in records:   # only now: every record is committed
        total = dict(r.totals)["total"]
        say(f"issued {r.number}  {r.draft}  {total} {r.currency}  -> {r.ref.path}")
    _say_einvoices(checked.book, records)
    return EXIT_OK


def _say_einvoices(book, records) -> None:
    """For an Italian issuer, the FatturaPA files the next build writes for these records:
    the files to send (docs/einvoice.md)."""
    from ..einvoice import applies, sdi_file_name

    if not applies(book):
        return
    names = []
    for r in records:
        try:
            names.append(sdi_file_name(book.settings.issuer, r.series, r.year, r.seq))
        except ValueError:   # a year or number the SdI's progressive cannot hold: check says so
            pass
    if names:
        say("plainbill: the e-invoices to send (FatturaPA), written by the next `plainbill build`: "
            + ", ".join(f"build/invoices/{n}" for n in names), err=True)


def run_credit_note(root: Path, number: str, *, lines: tuple[str, ...] = (), reason: str,
                    on: date | None = None, fmt: str = "text", dry_run: bool = False) -> int:
    on = on or date.today()
    if not reason.strip():
        return usage_error("--reason must say why the invoice is credited")
    return _exclusive("credit-note", root,
                      lambda: _credit_note(root, number, lines, reason.strip(), on, fmt, dry_run), dry_run)


def _credit_note(root: Path, number: str, lines: tuple[str, ...], reason: str, on: date, fmt: str,
                 dry_run: bool) -> int:
    computed = compute_book(root)
    if computed.problem:
        return usage_error(computed.problem)
    checked = computed.checked
    record = checked.register.get(number) if checked.register is not None else None
    settles: list[str] = []
    if has_errors(computed.diagnostics):
        if record is None or computed.invoices is None or not only_frozen_errors_of(computed.diagnostics, record):
            prepared, code = _prepare(root, fmt)   # reports the errors and refuses
            return code
        settles = unsettled(checked.book, record, checked.register)
        invoices, problem = _as_issued(checked, record, settles)
        if problem:
            report(root, computed.diagnostics, fmt)
            return usage_error(problem)
        lines = lines or tuple(_lines_billing(invoices, number, settles))
    else:
        invoices = computed.invoices
    original = next((i for i in invoices if i.number == number and i.kind == "invoice"), None)
    if record is None or record.series != "invoice" or original is None:
        return usage_error(_not_issued(checked.register, number))
    rec, diags = plan_credit_note(checked.book, checked.register, original, lines, reason, on)
    if diags or rec is None:
        report(root, diags, fmt)
        return EXIT_PROBLEMS
    if settles:
        rec = replace(rec, settles=tuple(settles))
        say(f"plainbill: this credit note settles the edit of {len(settles)} entr{'y' if len(settles) == 1 else 'ies'} "
            f"of {number}: {number} stays as issued, and the entries as they are now are billed, marked late, "
            f"in the client's next open period", err=True)
    if dry_run:
        say(f"would issue credit note {rec.number}  for {number}  {dict(rec.totals)['total']} "
            f"{rec.currency}  -> {rec.ref.path}")
        say("plainbill: dry run: nothing written", err=True)
        return EXIT_OK
    code = _write(root, [rec], "credit-note")
    if code != EXIT_OK:
        return code
    say(f"issued credit note {rec.number}  for {number}  {dict(rec.totals)['total']} "
        f"{rec.currency}  -> {rec.ref.path}")
    _say_einvoices(checked.book, [rec])
    return EXIT_OK


def _as_issued(checked, record: Record, settles: list[str]):
    """The invoices with `record`'s edited entries put back as issued: (invoices, None), or
    (None, why the edit cannot be settled by a credit note)."""
    from ..pipeline import Checked, compute

    restored = restore(checked.book, checked.register, {fp: record for fp in settles})
    if len(restored) != len(settles):
        return None, (f"cannot settle the edit of {record.number} with a credit note: an entry it billed cannot be "
                      "read back from its record; revert the edit, then credit what was over-billed")
    again = Checked(replace(checked.book, entries=(*checked.book.entries, *restored)), [], checked.register)
    invoices = compute(again)
    if has_errors(again.diagnostics):
        return None, (f"{record.number} would differ from what was issued even with its entries as they were: "
                      "a rate, contract or rule changed too; undo that change (or give it a `from:` date "
                      "after the invoice's period), then run credit-note again")
    return invoices, None


def _lines_billing(invoices, number: str, fingerprints: list[str]) -> list[str]:
    """`KEY=AMOUNT` for what invoice `number` billed for `fingerprints`, line by line (`KEY`
    when that is the whole line): the part a credit note cancels, the entries' other
    neighbours on a line staying billed."""
    wanted = set(fingerprints)
    inv = next(i for i in invoices if i.number == number and i.kind == "invoice")
    part: dict[str, Decimal] = {}
    for d in inv.entries:
        if d.fingerprint in wanted:
            part[d.line_key] = part.get(d.line_key, Decimal(0)) + d.amount
    specs = []
    for line in inv.lines:
        amount = round_money(part.get(line.key, Decimal(0)), inv.currency)
        if amount > 0:
            specs.append(line.key if amount >= line.amount else f"{line.key}={amount}")
    return specs


def _not_issued(register, number: str) -> str:
    issued = sorted(n for n, r in register.records.items() if r.series == "invoice")
    close = difflib.get_close_matches(number, issued, n=3, cutoff=0.6)
    hint = (f"; did you mean {', '.join(close)}?" if close else
            f"; issued invoices run from {issued[0]} to {issued[-1]}" if issued else "; nothing is issued yet")
    return f"{number} is not an issued invoice{hint}"
