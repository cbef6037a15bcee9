"""The register of issued invoices and credit notes (`issued/`).

Public API used by the pipeline: `load_register(root)`, `Register`
(`issued_fingerprints()`, `apply(invoices)`), `verify_issued(register,
invoices, book)`. Writing commands: `issue_invoices` and `credit_note`.
"""
from .frozen import verify_issued
from .records import Record, frozen_digest, path_for
from .store import Register, load_register, register_from_files

__all__ = ["Record", "Register", "frozen_digest", "load_register", "path_for",
           "register_from_files", "verify_issued"]
