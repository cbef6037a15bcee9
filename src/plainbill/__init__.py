"""plainbill: git-friendly, plain-text billing."""

__version__ = "0.1.0"
