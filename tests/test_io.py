"""Containers in, same container out (host containers; device ones are gpu-marked)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification

from gpuimb import FunctionSampler
from gpuimb.over_sampling import RandomOverSampler
from gpuimb.under_sampling import RandomUnderSampler

X, Y = make_classification(n_samples=200, n_features=4, n_informative=3,
                           n_redundant=0, n_classes=3, weights=[0.6, 0.3],
                           random_state=0)


def test_one_hot_target_comes_back_one_hot():
    y_ova = np.eye(3, dtype=int)[Y]
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y_ova)
    assert y_res.shape == (len(X_res), 3)
    X_ref, y_ref = RandomOverSampler(random_state=0).fit_resample(X, Y)
    np.testing.assert_array_equal(y_res.argmax(axis=1), y_ref)
    np.testing.assert_array_equal(X_res, X_ref)


def test_column_target():
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, Y[:, None])
    assert y_res.ndim == 1


def test_lists_come_back_as_lists():
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X.tolist(),
                                                                  Y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)
    assert isinstance(X_res[0], list)


@pytest.mark.parametrize("make", [sp.csr_matrix, sp.csc_matrix, sp.csr_array,
                                  sp.csc_array])
def test_sparse_kept_sparse_in_same_format(make):
    X_sp = make(X)
    for sampler in (RandomUnderSampler(random_state=0), RandomOverSampler(random_state=0),
                    RandomOverSampler(random_state=0, shrinkage=1.0)):
        X_res, _ = sampler.fit_resample(X_sp, Y)
        assert type(X_res) is type(X_sp)
        assert X_res.format == X_sp.format


def test_pandas_series_name_and_dtype_kept():
    df = pd.DataFrame(X.astype(np.float32), columns=list("abcd"))
    y = pd.Series(pd.Categorical(np.array(["x", "y", "z"])[Y]), name="label")
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(df, y)
    assert (X_res.dtypes == np.float32).all()
    assert y_res.name == "label"
    assert isinstance(y_res.dtype, pd.CategoricalDtype)
    pd.testing.assert_index_equal(X_res.index, y_res.index)


def test_function_sampler_validate_false_passes_objects_through():
    seen = {}

    def func(X, y):
        seen["types"] = (type(X), type(y))
        return X, y

    df = pd.DataFrame(X)
    FunctionSampler(func=func, validate=False).fit_resample(df, list(Y))
    assert seen["types"] == (pd.DataFrame, list)


def test_function_sampler_kw_args_and_sparse_refusal():
    def first_rows(X, y, n):
        return X[:n], y[:n]

    X_res, y_res = FunctionSampler(func=first_rows, kw_args={"n": 10}).fit_resample(X, Y)
    np.testing.assert_array_equal(X_res, X[:10])
    with pytest.raises(TypeError, match="dense data is required"):
        FunctionSampler(accept_sparse=False).fit_resample(sp.csr_matrix(X), Y)


# --- device containers (need CUDA) -------------------------------------------


def _host_reference(sampler_cls):
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, Y)
    return X_res, y_res, sampler.sample_indices_


@pytest.mark.gpu
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_cupy_in_cupy_out_same_selection(sampler_cls):
    import cupy

    X_ref, y_ref, idx_ref = _host_reference(sampler_cls)
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(cupy.asarray(X), cupy.asarray(Y))
    assert isinstance(X_res, cupy.ndarray) and isinstance(y_res, cupy.ndarray)
    assert isinstance(sampler.sample_indices_, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(sampler.sample_indices_), idx_ref)
    np.testing.assert_array_equal(cupy.asnumpy(X_res), X_ref)
    np.testing.assert_array_equal(cupy.asnumpy(y_res), y_ref)


@pytest.mark.gpu
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_cupyx_sparse_in_sparse_out(sampler_cls):
    import cupy
    import cupyx.scipy.sparse as csp

    X_ref, _, _ = _host_reference(sampler_cls)
    X_res, _ = sampler_cls(random_state=0).fit_resample(csp.csr_matrix(cupy.asarray(X)),
                                                       cupy.asarray(Y))
    assert csp.issparse(X_res) and X_res.format == "csr"
    np.testing.assert_array_equal(X_res.toarray().get(), X_ref)


@pytest.mark.gpu
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_cudf_in_cudf_out(sampler_cls):
    cudf = pytest.importorskip("cudf")
    X_ref, y_ref, _ = _host_reference(sampler_cls)
    df = cudf.DataFrame(X, columns=list("abcd"))
    X_res, y_res = sampler_cls(random_state=0).fit_resample(df, cudf.Series(Y, name="t"))
    assert isinstance(X_res, cudf.DataFrame) and list(X_res.columns) == list("abcd")
    assert isinstance(y_res, cudf.Series) and y_res.name == "t"
    np.testing.assert_array_equal(X_res.to_numpy(), X_ref)
    np.testing.assert_array_equal(y_res.to_numpy(), y_ref)


@pytest.mark.gpu
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_torch_cuda_in_torch_cuda_out(sampler_cls):
    torch = pytest.importorskip("torch")
    X_ref, y_ref, _ = _host_reference(sampler_cls)
    X_t = torch.as_tensor(X, device="cuda")
    y_t = torch.as_tensor(Y, device="cuda")
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X_t, y_t)
    assert isinstance(X_res, torch.Tensor) and X_res.device.type == "cuda"
    np.testing.assert_array_equal(X_res.cpu().numpy(), X_ref)
    np.testing.assert_array_equal(y_res.cpu().numpy(), y_ref)


def test_torch_cpu_in_torch_cpu_out():
    torch = pytest.importorskip("torch")
    X_ref, y_ref, _ = _host_reference(RandomUnderSampler)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        torch.as_tensor(X), torch.as_tensor(Y))
    assert isinstance(X_res, torch.Tensor) and X_res.device.type == "cpu"
    np.testing.assert_array_equal(X_res.numpy(), X_ref)
    np.testing.assert_array_equal(y_res.numpy(), y_ref)


def test_import_does_not_load_gpu_libraries():
    import subprocess
    import sys

    code = ("import sys, gpuimb, gpuimb.over_sampling, gpuimb.under_sampling;"
            "bad=[m for m in sys.modules if m.split('.')[0] in "
            "('cupy','cupyx','cuml','cudf','torch')]; print(bad); "
            "sys.exit(1 if bad else 0)")
    subprocess.run([sys.executable, "-c", code], check=True)


class _FakeCudfSeries:
    """Enough of a cuDF string Series for unwrap: factorize and null_count."""

    __module__ = "cudf.core.series"
    ndim = 1
    dtype = np.dtype(object)
    name = "label"

    def __init__(self, values, null_count=0):
        self.values = list(values)
        self.null_count = null_count
        self.factorize_kwargs = None

    def factorize(self, **kwargs):
        import pandas as pd

        self.factorize_kwargs = kwargs
        codes, uniques = pd.Series(self.values).factorize(**kwargs)

        class _Index:
            def to_pandas(self):
                return uniques

        return codes, _Index()


def test_cudf_string_labels_are_coded_in_sorted_order_and_nulls_refused():
    from gpuimb import _io

    series = _FakeCudfSeries(["north", "east", "north", "west"])
    codes, info = _io.unwrap(series)
    assert series.factorize_kwargs == {"sort": True}
    assert list(codes) == [1, 0, 1, 2]  # the order pandas and NumPy sort labels in
    assert _io.encode_labels({"west": 5, "east": 2}, info) == {2: 5, 0: 2}
    assert _io.encode_labels(["north"], info) == [1]
    assert _io.decode_labels({0: 3, 2: 4}, info) == {"east": 3, "west": 4}
    with pytest.raises(ValueError, match="null"):
        _io.unwrap(_FakeCudfSeries(["a", None], null_count=1))


def test_labels_follow_x_to_its_device_and_come_back():
    import array_api_strict as xs

    from gpuimb.under_sampling import RandomUnderSampler

    dev = xs.Device("device1")
    X = np.arange(20.0).reshape(10, 2)
    y = [0] * 7 + [1] * 3
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(xs.asarray(X, device=dev), y)
    assert X_res.device == dev and isinstance(y_res, list) and sorted(y_res) == [0] * 3 + [1] * 3
    # device labels with host X come back on the device
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, xs.asarray(y, device=dev))
    assert isinstance(X_res, np.ndarray)
    assert type(y_res) is type(xs.asarray(y)) and y_res.device == dev
