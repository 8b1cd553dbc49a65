"""Resample a Parquet dataset through Dask and write a partitioned Parquet output."""

import os
import shutil
import uuid
from contextlib import ExitStack


def resample_parquet(input_path, output_dir, sampler, *, target, scheduler=None,
                     overwrite=False, progress=False, n_workers=None):
    """Resample a Parquet directory (or glob) and write the result as Parquet.

    The data never passes through the client: workers read the input
    partitions, resample them with the sampler's exact Dask version and write
    the output partitions. Output is written to a temporary sibling directory
    and renamed into place only when every partition is written, so a failure
    leaves no partial output.

    Parameters
    ----------
    input_path : str or path-like
        A Parquet directory, file or glob (anything ``dask.dataframe.read_parquet``
        reads).
    output_dir : str or path-like
        Directory to create with the resampled data (one file per partition).
    sampler : gpuimb sampler
        Any sampler :func:`gpuimb.dask.fit_resample` runs exactly on Dask.
    target : str
        Name of the label column; every other column is a feature.
    scheduler : None, str or distributed.Client, default=None
        None uses the current Dask client if there is one, otherwise starts a
        ``distributed.LocalCluster`` for the call; a string is a scheduler
        address (``"tcp://host:8786"``); a ``Client`` is used as is. With a
        remote cluster, ``input_path`` and ``output_dir`` must be reachable by
        the workers (a shared or object-store path).
    overwrite : bool, default=False
        Replace an existing ``output_dir`` (only after the new output is
        complete); otherwise an existing ``output_dir`` is an error.
    progress : bool, default=False
        Show distributed's progress bar while writing.
    n_workers : int, default=None
        Workers of the local cluster started when ``scheduler`` is None and no
        client exists (None lets Dask choose).

    Returns
    -------
    summary : dict
        ``{"output_dir": str, "n_partitions": int}``.

    Examples
    --------
    >>> from gpuimb.dask import resample_parquet  # doctest: +SKIP
    >>> from gpuimb.over_sampling import SMOTE  # doctest: +SKIP
    >>> resample_parquet("data/*.parquet", "balanced/", SMOTE(random_state=0),
    ...                  target="label")  # doctest: +SKIP
    """
    import dask.dataframe as dd
    import distributed

    output_dir = os.fspath(output_dir)
    if os.path.exists(output_dir) and not overwrite:
        raise FileExistsError(
            f"Output directory {output_dir!r} already exists; remove it or pass "
            "overwrite=True."
        )
    with ExitStack() as stack:
        client = _client(stack, distributed, scheduler, n_workers)
        frame = dd.read_parquet(input_path)
        if target not in frame.columns:
            raise ValueError(
                f"Target column {target!r} is not in the input columns "
                f"{list(frame.columns)}."
            )
        X = frame.drop(columns=[target])
        y = frame[target]
        X_res, y_res = sampler.fit_resample(X, y)
        out = X_res.assign(**{target: y_res})
        parent = os.path.dirname(os.path.abspath(output_dir))
        os.makedirs(parent, exist_ok=True)
        tmp = os.path.join(parent, f".{os.path.basename(output_dir)}.tmp-{uuid.uuid4().hex}")
        try:
            # Zero-padded names: every reader lists the partitions in row order.
            write = out.to_parquet(tmp, write_index=False, compute=False,
                                   name_function=_part_name)
            future = client.compute(write)
            if progress:
                distributed.progress(future)
            future.result()
            _replace(tmp, output_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return {"output_dir": output_dir, "n_partitions": int(out.npartitions)}


def _part_name(i):
    return f"part.{i:06d}.parquet"


def _client(stack, distributed, scheduler, n_workers):
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if isinstance(scheduler, str):
        return stack.enter_context(distributed.Client(scheduler))
    try:
        return distributed.default_client()
    except ValueError:
        cluster = stack.enter_context(distributed.LocalCluster(
            n_workers=n_workers, dashboard_address=None))
        return stack.enter_context(distributed.Client(cluster))


def _replace(tmp, output_dir):
    """Move the finished ``tmp`` into place; an old output goes only afterwards."""
    old = None
    if os.path.exists(output_dir):
        old = f"{output_dir}.old-{uuid.uuid4().hex}"
        os.rename(output_dir, old)
    os.rename(tmp, output_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
