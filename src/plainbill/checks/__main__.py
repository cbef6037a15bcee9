"""`python -m plainbill.checks [docs/diagnostics.md]`: regenerate the reference part of the page."""
import sys
from pathlib import Path

from plainbill.checks import write_reference

write_reference(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/diagnostics.md"))
