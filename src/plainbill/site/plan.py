"""The reports site in a build: what output.py writes under build/reports/, and the charts it keeps.

Pages are rendered on every build that is not "nothing changed" (they are quick);
a chart is drawn again only when its data changed. Its key is the one
fingerprint (plainbill's files, the libraries' versions: matplotlib is one) of
the chart's data; the manifest records it under `charts`, and an old chart is
kept only when its key is this build's and its file on disk has the recorded
hash (nothing from build/ is trusted).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from ..fingerprint import fingerprint
from ..manifest import files_ok
from .charts import Chart, draw
from .pages import OVERVIEW, site_files

SITE_INDEX = OVERVIEW


@dataclass
class SitePlan:
    files: dict[str, bytes] = field(default_factory=dict)        # to write
    kept: dict[str, list] = field(default_factory=dict)          # charts kept: rel -> [sha, size] (old manifest)
    charts: dict[str, str] = field(default_factory=dict)         # every chart: rel -> key
    diagnostics: list[Diagnostic] = field(default_factory=list)
    drawn: int = 0


def plan_site(computed, templates, out_dir: Path, old: dict) -> SitePlan:
    """Every file of build/reports/ for this computed book (pipeline.Computed)."""
    from .content import site_of

    plan = SitePlan()
    old_charts = old.get("charts") if isinstance(old.get("charts"), dict) else {}

    def chart_bytes(rel: str, chart: Chart) -> bytes | None:
        key = plan.charts[rel] = fingerprint("chart", repr(chart))
        recorded = old["files"].get(rel)
        if old_charts.get(rel) == key and recorded and files_ok(out_dir, {rel: recorded}):
            plan.kept[rel] = recorded
            return None
        plan.drawn += 1
        return draw(chart)

    files, plan.diagnostics = site_files(computed.checked.book, templates, out_dir, site_of(computed), chart_bytes)
    plan.files = {rel: data for rel, data in files.items() if data is not None}
    if plan.diagnostics:
        plan.kept, plan.charts = {}, {}
    return plan


def kept_site(old: dict, out_dir: Path) -> tuple[dict[str, list], dict[str, str]]:
    """A partial build (--period, --client) computes part of the book: the last full build's
    reports stay, those whose files still check."""
    files = {rel: v for rel, v in old["files"].items() if rel.startswith("reports/")}
    if not files or not files_ok(out_dir, files):
        return {}, {}
    charts = old.get("charts") if isinstance(old.get("charts"), dict) else {}
    return files, {rel: key for rel, key in charts.items() if rel in files and isinstance(key, str)}
