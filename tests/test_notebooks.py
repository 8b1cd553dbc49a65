"""Execute the notebooks on a real Jupyter kernel and compare what they print.

The notebooks are saved with their outputs. Every code cell's stdout must be
printed again, identically, except in cells tagged ``nondeterministic``
(timings, versions), which must run and print their key lines, and in cells
tagged ``gpu``, whose saved outputs are the no-GPU ones: compared only where
no GPU is usable, and only required to run elsewhere.
"""

import os
import pathlib

import pytest

from tests._helpers import cuda_available

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Lines the nondeterministic cells must print (a substring per notebook).
EXPECTED = {
    "quickstart.ipynb": ["INFO:gpuimb:NearMiss: engine=", "gpuimb info", "numpy: "],
    "gpu_cudf_cupy.ipynb": ["gpuimb resample: SMOTE on engine", "rows: 300 in, 540 out",
                            "{0: 270, 1: 270}"],
    "pipeline_keel.ipynb": [],
}


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def test_every_notebook_is_checked():
    assert {p.name for p in NOTEBOOKS} == set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_prints_what_it_saved(path, monkeypatch):
    # The kernel must import this checkout's gpuimb, whatever is installed.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    saved = nbformat.read(path, as_version=4)
    assert any(_stdout(c) for c in saved.cells if c.cell_type == "code"), \
        "saved without outputs"
    ran = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(ran, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    gpu = cuda_available()
    printed = []
    for number, (before, after) in enumerate(zip(saved.cells, ran.cells, strict=True)):
        if before.cell_type != "code":
            continue
        tags = set(before.metadata.get("tags", []))
        printed.append(_stdout(after))
        if "nondeterministic" in tags or ("gpu" in tags and gpu):
            continue
        assert _stdout(after) == _stdout(before), f"{path.name} cell {number}"
    for line in EXPECTED[path.name]:
        assert any(line in text for text in printed), line
