"""Command line: ``gpuimb demo`` and ``gpuimb resample``.

Errors in the user's input end with one line on stderr and exit status 2; the
output file is written to a temporary name and renamed only when complete.
"""

import argparse
import ast
import inspect
import os
import sys
import tempfile
import time
from collections import Counter

EXIT_USAGE = 2


class CLIError(Exception):
    """A problem with the user's input, reported in one line."""


def _samplers():
    from gpuimb.utils.discovery import all_samplers

    return {name: cls for name, cls in all_samplers() if name != "FunctionSampler"}


def _counts(y):
    from gpuimb.utils._array_api import to_host

    try:
        values = to_host(y).tolist()
    except (TypeError, AttributeError):
        values = list(y)
    return dict(sorted(Counter(values).items()))


def _device_namespaces():
    """Yield ("host", converter) and, when a GPU is usable, ("cupy", converter)."""
    yield "numpy", lambda a: a
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            yield "cupy", cupy.asarray
    except Exception:  # no cupy, or no usable device: host only
        return


def run_demo(n_samples=3000, out=None):
    """Resample the demo dataset with every sampler on every available device.

    Returns
    -------
    n_failed : int
        Number of samplers that raised.
    """
    import numpy as np

    from gpuimb.datasets import make_demo_dataset

    out = out or sys.stdout
    X, y = make_demo_dataset(n_samples=n_samples)
    print(f"gpuimb demo: {X.shape[0]} rows, {X.shape[1]} features, "
          f"classes before {_counts(y)}", file=out)
    header = f"{'sampler':34} {'data':6} {'engine':14} {'time (s)':>9}  counts after"
    print(header, file=out)
    print("-" * len(header), file=out)
    n_failed = 0
    # SMOTENC needs categorical columns: the demo bins the last two features.
    X_mixed = X.copy()
    X_mixed[:, -2:] = np.floor(X_mixed[:, -2:]).clip(-2, 2)
    demo_params = {
        "SMOTENC": {"categorical_features": [X.shape[1] - 2, X.shape[1] - 1]},
        # With 8 clusters, no cluster of the 5 % class passes the default
        # imbalance threshold (imbalanced-learn fails the same way).
        "KMeansSMOTE": {"cluster_balance_threshold": 0.01},
    }
    for data_name, convert in _device_namespaces():
        for name, cls in _samplers().items():
            sampler = cls(**demo_params.get(name, {}))
            X_in = convert(X_mixed if name == "SMOTENC" else X)
            y_in = convert(y)
            if "random_state" in sampler.get_params():
                sampler.set_params(random_state=0)
            start = time.perf_counter()
            try:
                _, y_res = sampler.fit_resample(X_in, y_in)
            except Exception as exc:  # report and go on with the other samplers
                n_failed += 1
                print(f"{name:34} {data_name:6} {'-':14} {'-':>9}  failed: {exc}",
                      file=out)
                continue
            elapsed = time.perf_counter() - start
            engine = getattr(sampler, "engine_", "?")
            print(f"{name:34} {data_name:6} {engine:14} {elapsed:9.3f}  "
                  f"{_counts(y_res)}", file=out)
    return n_failed


def _parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _parse_params(pairs):
    params = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise CLIError(f"--param expects key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        params[key.strip()] = _parse_value(value.strip())
    return params


def _make_sampler(name, params, random_state):
    samplers = _samplers()
    if name not in samplers:
        raise CLIError(f"unknown sampler {name!r}; choose one of: "
                       + ", ".join(samplers))
    cls = samplers[name]
    valid = set(inspect.signature(cls).parameters)
    unknown = sorted(set(params) - valid)
    if unknown:
        raise CLIError(f"unknown parameter(s) {', '.join(unknown)} for {name}; "
                       f"valid: {', '.join(sorted(valid))}")
    if random_state is not None:
        if "random_state" not in valid:
            raise CLIError(f"{name} takes no random_state")
        params = {**params, "random_state": random_state}
    return cls(**params)


def _read_table(path):
    try:
        import pandas as pd
    except ImportError as exc:
        raise CLIError("reading tables needs pandas: pip install pandas") from exc
    if not os.path.isfile(path):
        raise CLIError(f"input file not found: {path}")
    if path.endswith(".parquet"):
        try:
            return pd.read_parquet(path)
        except ImportError as exc:
            raise CLIError("Parquet needs pyarrow: pip install pyarrow") from exc
    try:
        return pd.read_csv(path)
    except Exception as exc:
        raise CLIError(f"cannot read {path} as CSV: {exc}") from exc


def _write_table(frame, path):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"output directory does not exist: {directory}")
    suffix = ".parquet" if path.endswith(".parquet") else ".csv"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".gpuimb-", suffix=suffix)
    os.close(fd)
    try:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def run_resample(args, out=None):
    """Read a table, resample it, write it; return the written table."""
    out = out or sys.stdout
    sampler = _make_sampler(args.sampler, _parse_params(args.param), args.random_state)
    frame = _read_table(args.input)
    if args.target not in frame.columns:
        raise CLIError(f"target column {args.target!r} not in {args.input}; columns: "
                       + ", ".join(map(str, frame.columns)))
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    if X.shape[1] == 0:
        raise CLIError("the table has no feature column besides the target")
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except (ValueError, TypeError, RuntimeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        raise CLIError(f"{args.sampler} failed: {message}") from exc
    result = X_res.copy()
    result[args.target] = y_res.to_numpy()
    result = result[list(frame.columns)]
    _write_table(result, args.output)
    print(f"{args.sampler}: {len(frame)} rows -> {len(result)} rows", file=out)
    print(f"classes before: {_counts(y)}", file=out)
    print(f"classes after:  {_counts(y_res)}", file=out)
    return result


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="gpuimb", description="Resample imbalanced datasets on the CPU or GPU.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="resample a built-in dataset with every sampler")
    demo.add_argument("--n-samples", type=int, default=3000)
    resample = sub.add_parser("resample", help="resample a CSV or Parquet table")
    resample.add_argument("input", help="input table (.csv or .parquet)")
    resample.add_argument("--target", required=True, help="name of the label column")
    resample.add_argument("--sampler", required=True, help="sampler class name, "
                          "e.g. SMOTE or RandomUnderSampler")
    resample.add_argument("--param", action="append", metavar="KEY=VALUE",
                          help="sampler parameter (repeatable)")
    resample.add_argument("--random-state", type=int, default=None)
    resample.add_argument("--output", required=True,
                          help="output table; its extension picks the format")
    return parser


def main(argv=None):
    """Entry point of the ``gpuimb`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return 1 if run_demo(n_samples=args.n_samples) else 0
        run_resample(args)
        return 0
    except CLIError as exc:
        print(f"gpuimb: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
