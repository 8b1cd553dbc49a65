"""fetch_datasets against a local archive: never the network."""

import io
import tarfile
from urllib.error import URLError

import numpy as np
import pytest
from imblearn.datasets import fetch_datasets as imb_fetch

from gpuimb.datasets import _zenodo, fetch_datasets


def _fake_archive(path):
    """A tar.gz shaped like Zenodo's, with ecoli (ID 1) and satimage (ID 3)."""
    rng = np.random.RandomState(0)
    with tarfile.open(path, "w:gz") as tar:
        for dataset_id, shape in ((1, (336, 7)), (3, (50, 36))):
            buffer = io.BytesIO()
            np.savez(buffer, data=rng.normal(size=shape),
                     label=rng.choice([-1, 1], size=shape[0]))
            info = tarfile.TarInfo(f"x{dataset_id}data.npz")
            info.size = buffer.tell()
            buffer.seek(0)
            tar.addfile(info, buffer)
    return path


@pytest.fixture
def archive_url(tmp_path, monkeypatch):
    archive = _fake_archive(tmp_path / "benchmark-imbalanced-learn.tar.gz")
    monkeypatch.setattr(_zenodo, "URL", archive.as_uri())
    return archive.as_uri()


def test_downloads_once_then_reads_the_cache(tmp_path, archive_url, monkeypatch, capsys):
    home = str(tmp_path / "home")
    first = fetch_datasets(data_home=home, filter_data=("ecoli", 3), verbose=True)
    assert f"Downloading {archive_url}" in capsys.readouterr().out
    assert list(first) == ["ecoli", "satimage"]
    assert first["ecoli"].data.shape == (336, 7)
    assert first["ecoli"].DESCR == "ecoli"
    assert (tmp_path / "home" / "zenodo" / "x1data.npz").is_file()

    def no_network(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(_zenodo, "urlopen", no_network)
    again = fetch_datasets(data_home=home, filter_data=(1,))
    np.testing.assert_array_equal(again["ecoli"].data, first["ecoli"].data)
    # imbalanced-learn reads the same cache the same way, shuffling included
    for seed in (0, 7):
        ours = fetch_datasets(data_home=home, filter_data=("ecoli", "satimage"),
                              shuffle=True, random_state=seed)
        theirs = imb_fetch(data_home=home, filter_data=("ecoli", "satimage"),
                           shuffle=True, random_state=seed, download_if_missing=False)
        for name in ("ecoli", "satimage"):
            np.testing.assert_array_equal(ours[name].data, theirs[name].data)
            np.testing.assert_array_equal(ours[name].target, theirs[name].target)


def test_unreachable_network_says_what_where_and_how(tmp_path, monkeypatch):
    def unreachable(*args, **kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(_zenodo, "urlopen", unreachable)
    home = tmp_path / "home"
    with pytest.raises(OSError) as error:
        fetch_datasets(data_home=str(home), filter_data=("ecoli",))
    message = str(error.value)
    assert "Could not download" in message and _zenodo.URL in message
    assert "Temporary failure in name resolution" in message
    assert str(home / "zenodo") in message
    assert "tar -xzf" in message and "x1data.npz" in message
    # nothing half-written is left in the cache
    assert not list((home / "zenodo").glob("**/*.npz"))


def test_missing_without_download(tmp_path):
    with pytest.raises(OSError, match="Data not found and `download_if_missing` is False"):
        fetch_datasets(data_home=str(tmp_path), filter_data=("ecoli",),
                       download_if_missing=False)


def test_archive_without_the_dataset(tmp_path, archive_url):
    with pytest.raises(OSError, match="has no .*x2data.npz"):
        fetch_datasets(data_home=str(tmp_path / "home"), filter_data=("optical_digits",))


@pytest.mark.parametrize("filter_data", [("rnf",), (-1,), (100,), (1.00,)])
def test_filter_errors_match_imbalanced_learn(tmp_path, filter_data):
    with pytest.raises(ValueError) as theirs:
        imb_fetch(data_home=str(tmp_path), filter_data=filter_data)
    with pytest.raises(ValueError) as ours:
        fetch_datasets(data_home=str(tmp_path), filter_data=filter_data)
    assert str(ours.value) == str(theirs.value)


def test_catalogue_matches_imbalanced_learn():
    from imblearn.datasets._zenodo import MAP_NAME_ID

    assert _zenodo.MAP_NAME_ID == MAP_NAME_ID
