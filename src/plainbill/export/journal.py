"""A period's sales as a journal for plain-text accounting: hledger/Ledger and beancount.

One transaction per issued document, dated its issue date, the client as payee:

    receivable:<Client>   amount due          (what the client pays us)
    withholding           withholding         (ritenuta: a credit toward income tax)
    split_payment         split payment       (VAT the client pays to the state, art. 17-ter)
    fees                  - fees              (the lines but the bollo and the surcharges)
    stamp_duty            - stamp duty        (the bollo charged to the client)
    rivalsa               - rivalsa INPS      (TC22: income)
    cassa                 - contributo        (TC01..TC21: owed to the fund)
    vat                   - VAT               (the whole tax total)

amount due + withholding + split payment = total = the other lines, so each
transaction balances; a credit note is the same with the signs turned. Accounts
come from `export.accounts` in plainbill.yaml (model.Accounts: the defaults), the
amounts in the document's currency (its ISO code as commodity); a posting of 0 is
left out.
"""
from __future__ import annotations

from decimal import Decimal

from ..model import Accounts
from .sales import Sale


def postings(sale: Sale, accounts: Accounts) -> list[tuple[str, Decimal]]:
    """(account, signed amount) of a sale's transaction, zeros left out; they add up to 0."""
    rows = [(f"{accounts.receivable}:{client_account(sale.client)}", sale.amount_due),
            (accounts.withholding, sale.withholding), (accounts.split_payment, sale.split_payment),
            (accounts.fees, -sale.fees), (accounts.stamp_duty, -sale.stamp_duty),
            (accounts.rivalsa, -sale.rivalsa), (accounts.cassa, -sale.cassa), (accounts.vat, -sale.vat)]
    return [(a, v) for a, v in rows if v]


def client_account(slug: str) -> str:
    """A client's slug as an account part: `meccanica-dora` -> `Meccanica-Dora` (beancount's parts
    begin with a capital letter or digit and hold letters, digits and dashes)."""
    return "-".join(p[:1].upper() + p[1:] for p in slug.replace("_", "-").split("-") if p) or "Client"


def _one_line(text: str, drop: str) -> str:
    return " ".join("".join(" " if c in drop else c for c in text).split())


def ledger(sales: list[Sale], accounts: Accounts, title: str) -> bytes:
    """hledger/Ledger syntax: `DATE * (NUMBER) PAYEE`, a comment, then the postings."""
    out = [f"; {_one_line(title, '')}", ""]
    for s in sales:
        rows = postings(s, accounts)
        width = max(len(a) for a, _ in rows) + 4
        out.append(f"{s.date.isoformat()} * ({_one_line(s.number, '()')}) {_one_line(s.client_name, ';')}")
        kind = "credit note" if s.document_type == "TD04" else "invoice"
        out.append(f"    ; {kind} {s.invoice.id}, {s.invoice.period_start.isoformat()} to "
                   f"{s.invoice.period_end.isoformat()}")
        out += [f"    {a:<{width}}{v:>14} {s.currency}" for a, v in rows]
        out.append("")
    return "\n".join(out).encode("utf-8")


def beancount(sales: list[Sale], accounts: Accounts, title: str) -> bytes:
    """beancount syntax; the accounts are opened by beancount's auto_accounts plugin, so the
    files of several periods can be included in one ledger."""
    out = [f"; {_one_line(title, '')}", 'plugin "beancount.plugins.auto_accounts"', ""]
    for s in sales:
        rows = postings(s, accounts)
        width = max(len(a) for a, _ in rows) + 4
        kind = "Nota di credito" if s.document_type == "TD04" else "Fattura"
        out.append(f'{s.date.isoformat()} * "{_quoted(s.client_name)}" "{kind} {_quoted(s.number)}"')
        out.append(f'  number: "{_quoted(s.number)}"')
        out.append(f'  invoice: "{_quoted(s.invoice.id)}"')
        out += [f"  {a:<{width}}{v:>14} {s.currency}" for a, v in rows]
        out.append("")
    return "\n".join(out).encode("utf-8")


def _quoted(text: str) -> str:
    """Text inside a beancount string: one line, no quote or backslash to end it early."""
    return _one_line(text, '"\\')
