"""Side-by-side Markdown of bench/load.py results (e.g. baseline and now, SQLite and PG).

    .venv/bin/python bench/compare.py base-sqlite=/tmp/a.json now-sqlite=/tmp/b.json …

One row per page: p50 / p95 ms, KB and SQL statements of each labelled run; then the
throughput, batch, surge and worker figures of each run.
"""

import json
import sys
from pathlib import Path


def load(args: list[str]) -> list[tuple[str, dict]]:
    runs = []
    for arg in args:
        label, _, path = arg.partition("=")
        runs.append((label, json.loads(Path(path).read_text())))
    return runs


def table(runs: list[tuple[str, dict]]) -> str:
    head = "| role | page | " + " | ".join(f"{label} p50 / p95 ms, KB, SQL" for label, _ in runs)
    lines = [head + " |", "|---|---|" + "---:|" * len(runs)]
    keys = []
    for _, result in runs:
        for p in result.get("pages", []):
            if (p["role"], p["page"]) not in keys:
                keys.append((p["role"], p["page"]))
    for role, page in keys:
        cells = []
        for _, result in runs:
            found = [p for p in result.get("pages", []) if (p["role"], p["page"]) == (role, page)]
            if not found:
                cells.append("–")
                continue
            p = found[0]
            bad = "" if p["status"] == [200] else f" **{p['status']}**"
            cells.append(
                f"{p['p50_ms']:,.0f} / {p['p95_ms']:,.0f}, {p['bytes'] / 1024:,.0f}, "
                f"{p['statements']}{bad}"
            )
        lines.append(f"| {role} | {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def extras(runs: list[tuple[str, dict]]) -> str:
    lines = []
    for label, r in runs:
        m = r.get("machine", {})
        parts = [f"load average {m.get('loadavg')}, calibration {m.get('calibration_ms')} ms"]
        for t in r.get("throughput", []):
            parts.append(f"{t['page']} at {t['connections']}: {t['pages_per_s']} pages/s")
        for name, b in r.get("batch", {}).items():
            parts.append(f"{name} {b['seconds']} s" + ("" if b["exit"] == 0 else " (failed)"))
        if "surge" in r:
            s = r["surge"]
            parts.append(
                f"surge {s['clients']} clients: {s['submissions_per_s']} submissions/s "
                f"({s['submissions']} in {s['seconds']} s), {s['errors']} errors, "
                f"{s['database_locked']} database is locked"
            )
        if "workers" in r:
            w = r["workers"]
            parts.append(f"worker deaths {w['signals'] + w['extra_boots']}")
        lines.append(f"- **{label}** ({m.get('when')}): " + "; ".join(parts) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    runs = load(sys.argv[1:])
    print(table(runs))
    print()
    print(extras(runs))
