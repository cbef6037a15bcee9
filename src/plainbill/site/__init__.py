"""The firm's reports as a static site under build/reports/ (pages.py, charts.py) and `serve` (serve.py)."""
