"""Scaling curves: median time against n, log-log, gpuimb and imblearn on one chart."""

import math
from pathlib import Path

DEFAULT_SAMPLERS = (
    "SMOTE", "ADASYN", "BorderlineSMOTE", "NearMiss-1", "NearMiss-2", "NearMiss-3",
    "TomekLinks", "EditedNearestNeighbours", "RepeatedEditedNearestNeighbours",
    "AllKNN", "CondensedNearestNeighbour", "OneSidedSelection",
    "NeighbourhoodCleaningRule",
)
DEFAULT_SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def plot(results, path, title):
    """Draw one log-log panel per sampler into a PNG at ``path``.

    ``results`` are :meth:`Result.as_dict` dictionaries. Capped points (a call
    stopped at its time limit) are drawn as an open marker at the limit.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samplers = list(dict.fromkeys(r["sampler"] for r in results
                                  if r["status"]["gpuimb"] != "missing"))
    if not samplers:
        return None
    cols = min(4, len(samplers))
    rows = math.ceil(len(samplers) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows),
                             squeeze=False)
    styles = {"gpuimb": dict(color="tab:green", marker="o"),
              "imblearn": dict(color="tab:blue", marker="s")}
    for ax, name in zip(axes.flat, samplers, strict=False):
        mine = sorted((r for r in results if r["sampler"] == name),
                      key=lambda r: r["n"])
        for lib, style in styles.items():
            pts = [(r["n"], r["median"][lib]) for r in mine if r["median"][lib]]
            if pts:
                ax.plot(*zip(*pts, strict=True), label=lib, **style)
            capped = [(r["n"], float(r["status"][lib].split()[1])) for r in mine
                      if r["status"][lib].startswith(">")]
            if capped:
                ax.plot(*zip(*capped, strict=True), linestyle="none",
                        markerfacecolor="none", color=style["color"],
                        marker="^", label=f"{lib} (capped)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("n (rows)")
        ax.set_ylabel("seconds")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes.flat[len(samplers):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
