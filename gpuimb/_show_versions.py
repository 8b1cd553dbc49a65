"""``gpuimb.show_versions()``: what a bug report needs to say about the machine."""

import platform
import sys

# Distribution names, as pip knows them; the first one found is reported.
_PACKAGES = (
    ("gpuimb", ("gpuimb",)),
    ("numpy", ("numpy",)),
    ("scipy", ("scipy",)),
    ("scikit-learn", ("scikit-learn",)),
    ("imbalanced-learn", ("imbalanced-learn",)),
    ("pandas", ("pandas",)),
    ("pyarrow", ("pyarrow",)),
    ("cupy", ("cupy-cuda12x", "cupy-cuda13x", "cupy-cuda11x", "cupy")),
    ("cuml", ("cuml-cu12", "cuml-cu13", "cuml")),
    ("cudf", ("cudf-cu12", "cudf-cu13", "cudf")),
    ("dask", ("dask",)),
    ("matplotlib", ("matplotlib",)),
    ("tqdm", ("tqdm",)),
)


def _version(distributions):
    from importlib import metadata

    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _gpus():
    """Names of the CUDA devices CuPy sees, or why there are none."""
    try:
        import cupy
    except ImportError:
        return _nvidia_smi_gpus()
    try:
        count = cupy.cuda.runtime.getDeviceCount()
        names = []
        for i in range(count):
            name = cupy.cuda.runtime.getDeviceProperties(i)["name"]
            names.append(name.decode() if isinstance(name, bytes) else str(name))
        return names, None
    except Exception as exc:  # driver missing or broken
        return [], " ".join(str(exc).split()) or type(exc).__name__


def _nvidia_smi_gpus():
    """Without CuPy, ask the driver's ``nvidia-smi -L`` which GPUs there are."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return [], "CuPy not installed, no nvidia-smi"
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return [], f"CuPy not installed; nvidia-smi failed ({type(exc).__name__})"
    names = [line.split(":", 1)[1].split("(UUID")[0].strip()
             for line in listing.splitlines() if line.startswith("GPU ")]
    return names, "seen by nvidia-smi; install CuPy to use them" if names else \
        "CuPy not installed; nvidia-smi lists no GPU"


def versions():
    """Return the versions of gpuimb's dependencies and the GPUs seen.

    Returns
    -------
    info : dict
        ``{"python": ..., "platform": ..., package: version or None, ...,
        "gpus": [device names]}``; ``"gpus_note"`` says why no GPU was found.
    """
    info = {"python": sys.version.split()[0], "platform": platform.platform()}
    for key, distributions in _PACKAGES:
        info[key] = _version(distributions)
    if info["gpuimb"] is None:  # run from a source tree that is not installed
        from gpuimb import __version__

        info["gpuimb"] = __version__
    info["gpus"], note = _gpus()
    if note:
        info["gpus_note"] = note
    return info


def show_versions(file=None):
    """Print the versions of gpuimb, its dependencies and the GPUs it sees.

    Useful in bug reports; the same as ``gpuimb info`` on the command line.
    Packages are looked up without importing them (GPU libraries stay unloaded),
    except CuPy, which is asked for the devices.

    Parameters
    ----------
    file : file, default=None
        Where to print (stdout by default).

    Examples
    --------
    >>> import gpuimb
    >>> gpuimb.show_versions()  # doctest: +ELLIPSIS
    gpuimb info
    python: ...
    """
    file = file or sys.stdout
    info = versions()
    print("gpuimb info", file=file)
    for key, value in info.items():
        if key in ("gpus", "gpus_note"):
            continue
        print(f"{key}: {value if value is not None else 'not installed'}", file=file)
    gpus = info["gpus"]
    if gpus:
        for i, name in enumerate(gpus):
            print(f"gpu {i}: {name}", file=file)
        if "gpus_note" in info:
            print(f"gpus: {info['gpus_note']}", file=file)
    else:
        print(f"gpus: none ({info.get('gpus_note', 'no CUDA device')})", file=file)
