"""Command line: ``gpuimb resample``, ``gpuimb info``, ``gpuimb demo``.

``gpuimb resample`` is meant as a step of a training job: it reads a table,
resamples it and writes it, on the GPU with cuDF when one is usable (the data
never visits pandas) and with pandas otherwise. The file formats follow the
extensions; the run reports engine, device, rows in and out, and times.

Every failure ends with one line on stderr (``gpuimb: error: ...``) and exit
status 2, with no traceback and no partial output: the output file is written
under a temporary name next to it and renamed only when complete.
"""

import argparse
import ast
import bz2
import contextlib
import gzip
import inspect
import io
import lzma
import os
import sys
import tempfile
import time
import warnings
from collections import Counter

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# (extension, format, compression); compressions apply to CSV only.
_COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".xz": "xz"}
_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".feather": "feather"}
_SUPPORTED = ".csv, .csv.gz, .csv.bz2, .csv.zst, .csv.xz, .parquet (.pq), .feather"
_PLOT_FORMATS = (".png", ".pdf", ".svg", ".jpg", ".jpeg")
_DEMO_MIN_SAMPLES = 200

PARAM_HELP = """\
sampler parameter as KEY=VALUE (repeatable). VALUE is read as a Python literal
when it is one, else as a string: --param k_neighbors=3,
--param sampling_strategy=0.5, --param "sampling_strategy={'no': 80}",
--param "categorical_features=['region','plan']" (a list of column names or
positions), --param categorical_features=auto (columns of string or category
type), --param sampling_strategy=not minority."""


class CLIError(Exception):
    """A problem with the user's input or environment, reported in one line."""


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# --------------------------------------------------------------------------- samplers

def _samplers():
    from gpuimb.utils.discovery import all_samplers

    return {name: cls for name, cls in all_samplers() if name != "FunctionSampler"}


def _parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def _parse_params(pairs):
    params = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise CLIError(f"--param expects KEY=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        params[key.strip()] = _parse_value(value.strip())
    return params


def _make_sampler(name, params, random_state):
    samplers = _samplers()
    if name not in samplers:
        raise CLIError(f"unknown sampler {name!r}; choose one of: " + ", ".join(samplers))
    cls = samplers[name]
    signature = inspect.signature(cls)
    valid = set(signature.parameters)
    unknown = sorted(set(params) - valid)
    if unknown:
        raise CLIError(f"unknown parameter(s) {', '.join(unknown)} for {name}; "
                       f"valid: {', '.join(sorted(valid))}")
    missing = [p for p, spec in signature.parameters.items()
               if spec.default is inspect.Parameter.empty and p not in params]
    if missing:
        hint = ""
        if "categorical_features" in missing:
            hint = (" (e.g. --param categorical_features=auto for the string/category "
                    "columns, or --param \"categorical_features=['region','plan']\")")
        raise CLIError(f"{name} needs --param {missing[0]}=...{hint}")
    if random_state is not None:
        if "random_state" not in valid:
            raise CLIError(f"{name} takes no random_state")
        params = {**params, "random_state": random_state}
    try:
        return cls(**params)
    except Exception as exc:
        raise CLIError(f"{name}: {_one_line(exc)}") from exc


# --------------------------------------------------------------------------- files

def table_format(path):
    """Return ``(format, compression)`` of a table from its file name.

    The extension is read case-insensitively: ``.csv`` with an optional
    ``.gz``/``.bz2``/``.zst``/``.xz``, ``.parquet`` or ``.pq``, ``.feather``.

    Parameters
    ----------
    path : str
        File name.

    Returns
    -------
    format : {"csv", "parquet", "feather"}
    compression : {None, "gzip", "bz2", "zstd", "xz"}

    Examples
    --------
    >>> from gpuimb.cli import table_format
    >>> table_format("train.CSV.GZ")
    ('csv', 'gzip')
    >>> table_format("train.pq")
    ('parquet', None)
    """
    name = os.path.basename(str(path)).lower()
    compression = None
    for ext, comp in _COMPRESSIONS.items():
        if name.endswith(ext):
            compression, name = comp, name[: -len(ext)]
            break
    for ext, fmt in _FORMATS.items():
        if name.endswith(ext) and (compression is None or fmt == "csv"):
            return fmt, compression
    raise CLIError(f"cannot tell the table format of {path!r} from its extension; "
                   f"use one of {_SUPPORTED}")


def _open_compressed(path, compression, mode):
    if compression == "gzip":
        return gzip.open(path, mode)
    if compression == "bz2":
        return bz2.open(path, mode)
    if compression == "xz":
        return lzma.open(path, mode)
    try:
        import zstandard
    except ImportError as exc:
        raise CLIError(".zst files need zstandard: pip install zstandard") from exc
    return zstandard.open(path, mode)


def _check_output_path(path, what="--output"):
    if os.path.isdir(path):
        raise CLIError(f"{what} {path} is a directory; give a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"{what} {path}: directory {directory} does not exist")


def _read_table(path, device):
    """Read a table with cuDF (``device="gpu"``) or pandas (``"cpu"``)."""
    fmt, compression = table_format(path)
    if not os.path.exists(path):
        raise CLIError(f"input file not found: {path}")
    if os.path.isdir(path):
        raise CLIError(f"input {path} is a directory, not a table file")
    try:
        if device == "gpu":
            return _read_cudf(path, fmt, compression)
        import pandas as pd

        if fmt == "parquet":
            return pd.read_parquet(path)
        if fmt == "feather":
            return pd.read_feather(path)
        return pd.read_csv(path, compression=compression)
    except CLIError:
        raise
    except ImportError as exc:
        raise CLIError(f"reading {fmt} needs {exc.name or 'pyarrow'}: "
                       f"pip install {exc.name or 'pyarrow'}") from exc
    except Exception as exc:
        raise CLIError(f"cannot read {path} as {fmt}: {_one_line(exc)}") from exc


def _read_cudf(path, fmt, compression):
    import cudf

    if fmt == "parquet":
        return cudf.read_parquet(path)
    if fmt == "feather":
        import pyarrow.feather

        return cudf.DataFrame.from_arrow(pyarrow.feather.read_table(path))
    if compression is None:
        return cudf.read_csv(path)
    with _open_compressed(path, compression, "rb") as handle:
        return cudf.read_csv(io.BytesIO(handle.read()))


def _user_file_mode():
    """Permissions a newly created file gets under the user's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_table(frame, path):
    """Write ``frame`` (pandas or cuDF) to ``path`` atomically, with the user's umask."""
    fmt, compression = table_format(path)
    _check_output_path(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".gpuimb-",
                                   suffix=os.path.basename(path))
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or _one_line(exc)}") from exc
    os.close(fd)
    try:
        if type(frame).__module__.split(".")[0] == "cudf":
            _write_cudf(frame, tmp, fmt, compression)
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        elif fmt == "feather":
            frame.reset_index(drop=True).to_feather(tmp)
        else:
            frame.to_csv(tmp, index=False, compression=compression)
        os.chmod(tmp, _user_file_mode())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(exc, ImportError):
            raise CLIError(f"writing {fmt} needs {exc.name or 'pyarrow'}: "
                           f"pip install {exc.name or 'pyarrow'}") from exc
        if isinstance(exc, Exception) and not isinstance(exc, CLIError):
            raise CLIError(f"cannot write {path}: {_one_line(exc)}") from exc
        raise


def _write_cudf(frame, tmp, fmt, compression):
    if fmt == "parquet":
        frame.to_parquet(tmp, index=False)
    elif fmt == "feather":
        import pyarrow.feather

        pyarrow.feather.write_feather(frame.to_arrow(preserve_index=False), tmp)
    elif compression is None:
        frame.to_csv(tmp, index=False)
    else:
        with _open_compressed(tmp, compression, "wb") as handle:
            handle.write(frame.to_csv(index=False).encode())


# --------------------------------------------------------------------------- devices

def _gpu_status():
    """``(usable, reason)``: whether cuDF and a CUDA device are there."""
    try:
        import cupy

        n_devices = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no CuPy, no driver, no device
        return False, f"no usable CUDA device through CuPy ({_one_line(exc)})"
    if n_devices < 1:
        return False, "no CUDA device found"
    try:
        import cudf  # noqa: F401
    except Exception as exc:
        return False, f"cuDF is not usable ({_one_line(exc)}): pip install cudf-cu12"
    return True, ""


def _choose_device(requested):
    """Map ``--device`` to "cpu" or "gpu", selecting the CUDA device if one is named."""
    if requested == "cpu":
        return "cpu"
    usable, reason = _gpu_status()
    if requested == "auto":
        return "gpu" if usable else "cpu"
    kind, _, number = requested.partition(":")
    if kind not in ("gpu", "cuda") or (number and not number.isdigit()):
        raise CLIError(f"--device must be auto, cpu, gpu or gpu:N; got {requested!r}")
    if not usable:
        raise CLIError(f"--device {requested}: {reason}")
    if number:
        import cupy

        if int(number) >= cupy.cuda.runtime.getDeviceCount():
            raise CLIError(f"--device {requested}: only "
                           f"{cupy.cuda.runtime.getDeviceCount()} CUDA device(s)")
        cupy.cuda.Device(int(number)).use()
    return "gpu"


def _device_label(device):
    if device != "gpu":
        return "cpu"
    import cupy

    return f"gpu:{cupy.cuda.Device().id}"


# --------------------------------------------------------------------------- resample

def _is_cudf(obj):
    return type(obj).__module__.split(".")[0] == "cudf"


def _label_counts(series):
    counts = series.value_counts()
    if _is_cudf(counts):
        counts = counts.to_pandas()
    items = [(k.item() if hasattr(k, "item") else k, int(v)) for k, v in counts.items()]
    try:
        return dict(sorted(items))
    except TypeError:
        return dict(items)


def _non_numeric_columns(frame):
    return [c for c, t in frame.dtypes.items() if getattr(t, "kind", "O") not in "biuf"]


def _check_features(X, sampler, name):
    non_numeric = _non_numeric_columns(X)
    if non_numeric and not getattr(sampler, "_allow_non_numeric", False):
        shown = ", ".join(map(str, non_numeric[:5])) + (", ..." if len(non_numeric) > 5
                                                        else "")
        raise CLIError(
            f"column(s) {shown} are not numeric and {name} needs numbers; use SMOTENC "
            "(numeric and categorical columns: --param categorical_features=auto) or "
            "SMOTEN (categorical columns only), or encode them as numbers first")
    return non_numeric


def _to_host_frame(frame):
    return frame.to_pandas() if _is_cudf(frame) else frame


def _column_values(series):
    return series.values if _is_cudf(series) else series.to_numpy()


def run_resample(args, out=None):
    """Read a table, resample it, write it; return the written table.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``gpuimb resample`` arguments.
    out : file, default=None
        Where the report goes (stdout by default).

    Returns
    -------
    result : DataFrame
        The written table (pandas or cuDF).
    """
    out = out or sys.stdout
    sampler = _make_sampler(args.sampler, _parse_params(args.param), args.random_state)
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.dask or args.scheduler is not None:
        with _configured(args.backend, show_progress=show_progress):
            return _resample_dask(args, sampler, show_progress, out)
    table_format(args.input)
    _check_output_path(args.output)
    table_format(args.output)
    if args.plot is not None:
        _check_plot_path(args.plot)
    with _configured(args.backend, show_progress=show_progress):
        return _resample(args, sampler, out)


def _resample_dask(args, sampler, show_progress, out):
    """``--dask`` / ``--scheduler``: a Parquet directory or glob in, a partitioned
    Parquet directory out, through :func:`gpuimb.dask.resample_parquet` (which
    writes to a temporary sibling and renames it only when complete)."""
    if args.plot is not None:
        raise CLIError("--plot is not available with --dask (the data stays on the workers)")
    output = str(args.output)
    if os.path.exists(output):
        raise CLIError(f"output {output} exists; with --dask the output is a new directory")
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise CLIError(f"output {output}: directory {parent} does not exist")
    try:
        from gpuimb.dask import resample_parquet
    except ImportError as exc:
        raise CLIError('--dask needs Dask: pip install "gpuimb[dask]"') from exc
    start = time.perf_counter()
    try:
        summary = resample_parquet(args.input, output, sampler, target=args.target,
                                   scheduler=args.scheduler, progress=show_progress)
    except CLIError:
        raise
    except Exception as exc:  # any failure is one line; no output was renamed in
        raise CLIError(f"{args.sampler} on Dask failed: {_one_line(exc)}") from exc
    print(f"gpuimb resample: {args.sampler} on Dask "
          f"({'scheduler ' + args.scheduler if args.scheduler else 'local cluster'}); "
          f"wrote {summary['n_partitions']} partition(s) to {summary['output_dir']} "
          f"in {time.perf_counter() - start:.2f} s", file=out)
    return summary


@contextlib.contextmanager
def _configured(backend, show_progress=None):
    """gpuimb's configuration for the run; a bad ``--backend`` is a one-line error."""
    from gpuimb._config import config_context

    try:
        context = config_context(backend=backend, show_progress=show_progress)
        context.__enter__()
    except ValueError as exc:
        raise CLIError(f"--backend: {_one_line(exc)}") from exc
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _resample(args, sampler, out):
    from gpuimb.utils._progress import progress

    device = _choose_device(args.device)
    note = None
    steps = iter(progress(("read", "resample", "write"), "gpuimb resample", unit="step",
                          total=3))
    next(steps)
    start = time.perf_counter()
    frame = _read_table(args.input, device)
    if args.target not in frame.columns:
        raise CLIError(f"target column {args.target!r} not in {args.input}; columns: "
                       + ", ".join(map(str, frame.columns)))
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    n_missing = int(y.isna().sum())
    if n_missing:
        raise CLIError(f"target column {args.target!r} has {n_missing} missing value(s); "
                       "drop or fill those rows first")
    if X.shape[1] == 0:
        raise CLIError("the table has no feature column besides the target")
    non_numeric = _check_features(X, sampler, args.sampler)
    if device == "gpu" and non_numeric:
        if args.device != "auto":
            raise CLIError(f"column(s) {', '.join(map(str, non_numeric))} are not numeric; "
                           "cuDF data must be numeric on the GPU: encode them or use "
                           "--device cpu")
        # auto: string columns cannot be resampled on the GPU yet, the host can.
        frame, device = frame.to_pandas(), "cpu"
        X, y = frame.drop(columns=[args.target]), frame[args.target]
        note = (f"non-numeric column(s) {', '.join(map(str, non_numeric))}: resampled on "
                "the CPU (cuDF data must be numeric on the GPU)")
    read_s = time.perf_counter() - start

    next(steps)
    start = time.perf_counter()
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except Exception as exc:  # any sampler failure is the user's data or parameters
        raise CLIError(f"{args.sampler} failed: {_one_line(exc)}") from exc
    resample_s = time.perf_counter() - start

    figure = None
    if args.plot is not None:
        figure = _draw_plot(args.plot, X, y, X_res, y_res, sampler)

    next(steps)
    start = time.perf_counter()
    result = X_res.reset_index(drop=True)
    result[args.target] = _column_values(y_res)
    result = result[list(frame.columns)]
    _write_table(result, args.output)
    write_s = time.perf_counter() - start
    for _ in steps:
        pass
    if figure is not None:
        try:
            _save_figure(figure, args.plot)
        except CLIError:
            os.remove(args.output)  # exit 2 leaves no output behind
            raise
    engine = getattr(sampler, "engine_", "?")
    print(f"gpuimb resample: {args.sampler} on engine {engine}, device "
          f"{_device_label(device)} ({'cuDF' if device == 'gpu' else 'pandas'})", file=out)
    print(f"rows: {len(frame)} in, {len(result)} out", file=out)
    print(f"classes before: {_label_counts(y)}", file=out)
    print(f"classes after:  {_label_counts(y_res)}", file=out)
    print(f"time: read {read_s:.3f} s, resample {resample_s:.3f} s, "
          f"write {write_s:.3f} s", file=out)
    if note:
        print(f"note: {note}", file=out)
    if args.plot is not None:
        print(f"plot: {args.plot}", file=out)
    return result


def _check_plot_path(path):
    if not str(path).lower().endswith(_PLOT_FORMATS):
        raise CLIError(f"--plot {path}: use one of {', '.join(_PLOT_FORMATS)}")
    _check_output_path(path, what="--plot")
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise CLIError("--plot needs matplotlib: pip install matplotlib") from exc


def _draw_plot(path, X, y, X_res, y_res, sampler):
    """The before/after figure, drawn on the host (numeric columns only)."""
    import matplotlib

    matplotlib.use("Agg")
    from gpuimb.plotting import plot_resampling

    X, X_res = _to_host_frame(X), _to_host_frame(X_res)
    y, y_res = _to_host_frame(y), _to_host_frame(y_res)
    numeric = [c for c in X.columns if c not in _non_numeric_columns(X)]
    if not numeric:
        raise CLIError("--plot needs at least one numeric feature column")
    try:
        return plot_resampling(X[numeric], y, X_res[numeric], y_res, sampler=sampler,
                               title=type(sampler).__name__)
    except Exception as exc:
        import matplotlib.pyplot as plt

        plt.close("all")
        raise CLIError(f"cannot draw --plot {path}: {_one_line(exc)}") from exc


def _save_figure(fig, path):
    """Save ``fig`` atomically with the user's umask, then close it."""
    import matplotlib.pyplot as plt

    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".gpuimb-",
                                   suffix=os.path.basename(path))
        os.close(fd)
        fig.savefig(tmp, dpi=100, format=os.path.splitext(path)[1][1:].lower())
        os.chmod(tmp, _user_file_mode())
        os.replace(tmp, path)
    except Exception as exc:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        raise CLIError(f"cannot write --plot {path}: {_one_line(exc)}") from exc
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------- demo

def _counts(y):
    from gpuimb.utils._array_api import to_host

    try:
        values = to_host(y).tolist()
    except (TypeError, AttributeError):
        values = list(y)
    return dict(sorted(Counter(values).items()))


def _device_namespaces():
    """Yield ("numpy", converter) and, when a GPU is usable, ("cupy", converter)."""
    yield "numpy", lambda a: a
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            yield "cupy", cupy.asarray
    except Exception:  # no cupy, or no usable device: host only
        return


def run_demo(n_samples=3000, out=None):
    """Resample the demo dataset with every sampler on every available device.

    Parameters
    ----------
    n_samples : int, default=3000
        Rows of the demo dataset (at least 200, so every class has neighbours).
    out : file, default=None
        Where the table goes (stdout by default).

    Returns
    -------
    n_failed : int
        Number of samplers that raised.
    """
    import numpy as np

    from gpuimb.datasets import make_demo_dataset

    if n_samples < _DEMO_MIN_SAMPLES:
        raise CLIError(f"--n-samples must be at least {_DEMO_MIN_SAMPLES} (the smallest "
                       f"class has 5% of the rows); got {n_samples}")
    out = out or sys.stdout
    X, y = make_demo_dataset(n_samples=n_samples)
    print(f"gpuimb demo: {X.shape[0]} rows, {X.shape[1]} features, "
          f"classes before {_counts(y)}", file=out)
    header = f"{'sampler':34} {'data':6} {'engine':20} {'time (s)':>9}  counts after"
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
                print(f"{name:34} {data_name:6} {'-':20} {'-':>9}  failed: "
                      f"{_one_line(exc)}", file=out)
                continue
            elapsed = time.perf_counter() - start
            engine = getattr(sampler, "engine_", "?")
            print(f"{name:34} {data_name:6} {engine:20} {elapsed:9.3f}  "
                  f"{_counts(y_res)}", file=out)
    return n_failed


# --------------------------------------------------------------------------- main

def _build_parser():
    from gpuimb import __version__
    from gpuimb._config import BACKENDS

    parser = argparse.ArgumentParser(
        prog="gpuimb", description="Resample imbalanced datasets on the CPU or the GPU.")
    parser.add_argument("--version", action="version", version=f"gpuimb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="resample a built-in dataset with every sampler")
    demo.add_argument("--n-samples", type=int, default=3000,
                      help=f"rows of the demo dataset (>= {_DEMO_MIN_SAMPLES})")
    demo.add_argument("--backend", default="auto",
                      help="engine: " + ", ".join(BACKENDS) + " (default: auto)")

    sub.add_parser("info", help="versions of gpuimb and its dependencies, GPUs seen")

    resample = sub.add_parser(
        "resample", help="resample a table file (CSV, Parquet, Feather)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read a table, resample it with one sampler, write it. On a machine "
                    "with a CUDA device and cuDF the table is read, resampled and "
                    "written on the GPU.",
        epilog="example:\n  gpuimb resample train.parquet --target label --sampler SMOTENC "
               "\\\n      --param categorical_features=auto --output balanced.parquet "
               "--plot balanced.png")
    resample.add_argument("input", help=f"input table; format from the extension: {_SUPPORTED}")
    resample.add_argument("--target", required=True, help="name of the label column")
    resample.add_argument("--sampler", required=True, help="sampler class name, "
                          "e.g. SMOTE, SMOTENC or RandomUnderSampler")
    resample.add_argument("--param", action="append", metavar="KEY=VALUE", help=PARAM_HELP)
    resample.add_argument("--random-state", type=int, default=None,
                          help="seed of the sampler's random draws")
    resample.add_argument("--output", required=True,
                          help="output table; its extension picks the format")
    resample.add_argument("--backend", default="auto",
                          help="engine for neighbours, k-means and classifiers: "
                               + ", ".join(BACKENDS) + " (default: auto)")
    resample.add_argument("--device", default="auto",
                          help="auto (GPU with cuDF when usable, else CPU with pandas), "
                               "cpu, gpu or gpu:N (default: auto)")
    resample.add_argument("--plot", metavar="FILE.png", default=None,
                          help="also draw the data before/after and the class counts")
    resample.add_argument("--dask", action="store_true",
                          help="resample a Parquet directory or glob with Dask on a local "
                               "cluster and write a partitioned Parquet directory (needs "
                               "gpuimb[dask])")
    resample.add_argument("--scheduler", metavar="ADDRESS", default=None,
                          help="like --dask, on the Dask cluster at ADDRESS "
                               "(e.g. tcp://host:8786)")
    resample.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                          help="progress bars (needs tqdm; default: on when stderr is a "
                               "terminal)")
    return parser


def _run_demo_with(args):
    with _configured(args.backend):
        return run_demo(n_samples=args.n_samples)


def main(argv=None):
    """Entry point of the ``gpuimb`` console script.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name (``sys.argv[1:]`` by default).

    Returns
    -------
    status : int
        0 on success, 2 on an error (reported in one line on stderr).
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        # Warnings (e.g. scikit-learn's on a NaN target) would add lines to the
        # one-line error contract; they are reported after a success only.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if args.command == "demo":
                status = 1 if _run_demo_with(args) else 0
            elif args.command == "info":
                from gpuimb._show_versions import show_versions

                show_versions()
                status = 0
            else:
                run_resample(args)
                status = 0
        for message in dict.fromkeys(_one_line(w.message) for w in caught):
            print(f"gpuimb: warning: {message}", file=sys.stderr)
        return status
    except CLIError as exc:
        print(f"gpuimb: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gpuimb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug of ours: still one line, named for a report
        print(f"gpuimb: error: internal error {type(exc).__name__}: {_one_line(exc)} "
              "(please report it)", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
