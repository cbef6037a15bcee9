"""The synthetic-book generator of benchmarks/: deterministic, exact size, valid lines."""
from __future__ import annotations

import importlib.util
from collections import defaultdict
from datetime import date
from pathlib import Path

from plainbill.load.ledger import parse_ledger

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("plainbill_bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _book(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_exact_count(tmp_path):
    gen = _generator()
    gen.generate(tmp_path / "a", 3000, seed=7)
    gen.generate(tmp_path / "b", 3000, seed=7)
    a, b = _book(tmp_path / "a"), _book(tmp_path / "b")
    assert a == b
    assert len([k for k in a if k.startswith("clients/")]) == 50
    rows = []
    for path, data in a.items():
        if path.endswith(".txt"):
            parsed, diags = parse_ledger(data.decode())
            assert diags == [], (path, diags[:3])
            rows += parsed
    assert len(rows) == 3000


def test_clock_ranges_of_a_person_never_overlap(tmp_path):
    gen = _generator()
    gen.generate(tmp_path, 5000, seed=3)
    spans = defaultdict(list)
    for path in sorted(tmp_path.glob("ledger/*/*.txt")):
        for row in parse_ledger(path.read_text())[0]:
            day, person, minutes, start = row[3], row[7], row[8], row[9]
            if start >= 0:
                begin = date.fromisoformat(day).toordinal() * 1440 + start
                spans[person].append((begin, begin + minutes, row[15]))
    for person, items in spans.items():
        items.sort()
        for first, second in zip(items, items[1:]):
            assert first[1] <= second[0], (first[2], second[2])
