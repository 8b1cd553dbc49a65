"""imbalanced-learn's benchmark collection (27 imbalanced datasets on Zenodo).

The collection was proposed in Ding, Zejin, "Diversified Ensemble Classifiers for
Highly Imbalanced Data Learning and their Application in Bioinformatics",
dissertation, Georgia State University (2011). One archive holds them all; it is
downloaded once and unpacked under ``<data_home>/zenodo`` (scikit-learn's data
home), one ``x<ID>data.npz`` file per dataset.
"""

import os
import tarfile
import tempfile
from collections import OrderedDict
from inspect import signature
from os.path import isfile, join
from urllib.error import URLError
from urllib.request import urlopen

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import validate_params

URL = "https://zenodo.org/record/61452/files/benchmark-imbalanced-learn.tar.gz"
PRE_FILENAME = "x"
POST_FILENAME = "data.npz"

# (name, source and minority class, imbalance ratio, n_samples, n_features), by ID
DATASETS = [
    ("ecoli", "UCI, target: imU", "8.6:1", 336, 7),
    ("optical_digits", "UCI, target: 8", "9.1:1", 5620, 64),
    ("satimage", "UCI, target: 4", "9.3:1", 6435, 36),
    ("pen_digits", "UCI, target: 5", "9.4:1", 10992, 16),
    ("abalone", "UCI, target: 7", "9.7:1", 4177, 10),
    ("sick_euthyroid", "UCI, target: sick euthyroid", "9.8:1", 3163, 42),
    ("spectrometer", "UCI, target: >=44", "11:1", 531, 93),
    ("car_eval_34", "UCI, target: good, v good", "12:1", 1728, 21),
    ("isolet", "UCI, target: A, B", "12:1", 7797, 617),
    ("us_crime", "UCI, target: >0.65", "12:1", 1994, 100),
    ("yeast_ml8", "LIBSVM, target: 8", "13:1", 2417, 103),
    ("scene", "LIBSVM, target: >one label", "13:1", 2407, 294),
    ("libras_move", "UCI, target: 1", "14:1", 360, 90),
    ("thyroid_sick", "UCI, target: sick", "15:1", 3772, 52),
    ("coil_2000", "KDD, CoIL, target: minority", "16:1", 9822, 85),
    ("arrhythmia", "UCI, target: 06", "17:1", 452, 278),
    ("solar_flare_m0", "UCI, target: M->0", "19:1", 1389, 32),
    ("oil", "UCI, target: minority", "22:1", 937, 49),
    ("car_eval_4", "UCI, target: vgood", "26:1", 1728, 21),
    ("wine_quality", "UCI, wine, target: <=4", "26:1", 4898, 11),
    ("letter_img", "UCI, target: Z", "26:1", 20000, 16),
    ("yeast_me2", "UCI, target: ME2", "28:1", 1484, 8),
    ("webpage", "LIBSVM, w7a, target: minority", "33:1", 34780, 300),
    ("ozone_level", "UCI, ozone, data", "34:1", 2536, 72),
    ("mammography", "UCI, target: minority", "42:1", 11183, 6),
    ("protein_homo", "KDD CUP 2004, minority", "111:1", 145751, 74),
    ("abalone_19", "UCI, target: 19", "130:1", 4177, 10),
]
MAP_NAME_ID = OrderedDict((name, i + 1) for i, (name, *_) in enumerate(DATASETS))
MAP_ID_NAME = OrderedDict((i, name) for name, i in MAP_NAME_ID.items())


def _filename(zenodo_dir, name):
    return join(zenodo_dir, f"{PRE_FILENAME}{MAP_NAME_ID[name]}{POST_FILENAME}")


def _how_to_prepopulate(zenodo_dir):
    return (
        f"To use the datasets offline, download {URL} on a machine with network "
        f"access and unpack it into {zenodo_dir} (`tar -xzf "
        f"benchmark-imbalanced-learn.tar.gz -C {zenodo_dir}`), so that the files "
        f"{PRE_FILENAME}1{POST_FILENAME} ... {PRE_FILENAME}27{POST_FILENAME} are "
        "there, or pass data_home= a folder that has a 'zenodo' sub-folder with them."
    )


def _download(zenodo_dir, verbose):
    """Fetch the archive and unpack it into ``zenodo_dir`` (nothing left half-done)."""
    os.makedirs(zenodo_dir, exist_ok=True)
    if verbose:
        print(f"Downloading {URL}")
    with tempfile.TemporaryDirectory(dir=zenodo_dir) as tmp:
        archive = join(tmp, "benchmark-imbalanced-learn.tar.gz")
        try:
            with urlopen(URL, timeout=60) as response, open(archive, "wb") as out:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
        except (URLError, OSError, TimeoutError) as exc:
            raise OSError(
                f"Could not download the imbalanced-learn benchmark datasets from "
                f"{URL}: {exc}. The cache folder is {zenodo_dir}. "
                + _how_to_prepopulate(zenodo_dir)
            ) from exc
        with tarfile.open(archive) as tar:
            if "filter" in signature(tar.extractall).parameters:
                tar.extractall(path=tmp, filter="data")
            else:  # Python < 3.12 (and no patched tarfile)
                tar.extractall(path=tmp)
        for root, _, files in os.walk(tmp):
            for name in files:
                if name.startswith(PRE_FILENAME) and name.endswith(POST_FILENAME):
                    os.replace(join(root, name), join(zenodo_dir, name))


@validate_params(
    {
        "data_home": [None, str],
        "filter_data": [None, tuple],
        "download_if_missing": ["boolean"],
        "random_state": ["random_state"],
        "shuffle": ["boolean"],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_datasets(*, data_home=None, filter_data=None, download_if_missing=True,
                   random_state=None, shuffle=False, verbose=False):
    """Load imbalanced-learn's benchmark datasets, downloading them once if needed.

    The 27 datasets of the collection (see :data:`DATASETS`: name, source and
    minority class, imbalance ratio, samples, features) come in one archive from
    Zenodo, cached in ``<data_home>/zenodo``. Without network access, unpack the
    archive there beforehand; the error raised then says where and how.

    Parameters
    ----------
    data_home : str, default=None
        Cache folder; by default scikit-learn's data home
        (``~/scikit_learn_data`` or ``$SCIKIT_LEARN_DATA``).
    filter_data : tuple of str or int, default=None
        Names or IDs (1 to 27) of the datasets to return; all by default.
    download_if_missing : bool, default=True
        Download the archive when a requested dataset is not cached; when False,
        a missing dataset raises :class:`OSError`.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.
    shuffle : bool, default=False
        Shuffle the rows of each dataset.
    verbose : bool, default=False
        Say when the archive is downloaded.

    Returns
    -------
    datasets : OrderedDict of Bunch
        In the order asked; each Bunch has ``data`` (n_samples, n_features),
        ``target`` (n_samples,) with -1/1 labels and ``DESCR`` (the name).

    Raises
    ------
    OSError
        When a dataset is missing and cannot be downloaded (no network,
        ``download_if_missing=False``): the message names the cache folder and how
        to fill it by hand.

    Examples
    --------
    >>> from gpuimb.datasets import fetch_datasets
    >>> ecoli = fetch_datasets(filter_data=("ecoli",))["ecoli"]  # doctest: +SKIP
    >>> ecoli.data.shape  # doctest: +SKIP
    (336, 7)
    """
    from sklearn.datasets import get_data_home

    data_home = get_data_home(data_home=data_home)
    zenodo_dir = join(data_home, "zenodo")

    if filter_data is None:
        names = list(MAP_NAME_ID)
    else:
        names = []
        for it in filter_data:
            if isinstance(it, str):
                if it not in MAP_NAME_ID:
                    raise ValueError(
                        f"{it} is not a dataset available. "
                        f"The available datasets are {MAP_NAME_ID.keys()}"
                    )
                names.append(it)
            elif isinstance(it, int):
                if it < 1 or it > len(DATASETS):
                    raise ValueError(
                        f"The dataset with the ID={it} is not an available dataset. "
                        f"The IDs are {range(1, len(DATASETS) + 1)}"
                    )
                names.append(MAP_ID_NAME[it])
            else:
                raise ValueError(
                    f"The value in the tuple should be str or int. Got {type(it)} instead."
                )

    datasets = OrderedDict()
    for name in names:
        filename = _filename(zenodo_dir, name)
        if not isfile(filename):
            if not download_if_missing:
                raise OSError(
                    "Data not found and `download_if_missing` is False: "
                    f"{filename} does not exist. " + _how_to_prepopulate(zenodo_dir)
                )
            _download(zenodo_dir, verbose)
            if not isfile(filename):
                raise OSError(
                    f"The archive downloaded from {URL} has no {filename}. "
                    + _how_to_prepopulate(zenodo_dir)
                )
        with np.load(filename) as data:
            X, y = data["data"], data["label"]
        if shuffle:
            order = np.arange(X.shape[0])
            check_random_state(random_state).shuffle(order)
            X, y = X[order], y[order]
        datasets[name] = Bunch(data=X, target=y, DESCR=name)
    return datasets
