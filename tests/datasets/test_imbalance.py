"""make_imbalance keeps imbalanced-learn's rows, on the host and on a device."""

from collections import Counter

import array_api_strict
import numpy as np
import pandas as pd
import pytest
from imblearn.datasets import make_imbalance as imb_make_imbalance
from sklearn.datasets import load_iris

from gpuimb._backends import to_host
from gpuimb.datasets import make_demo_dataset, make_imbalance

DEVICE1 = array_api_strict.Device("device1")
X, Y = load_iris(return_X_y=True)


@pytest.mark.parametrize("strategy", [{0: 10, 1: 20, 2: 30}, {0: 5, 2: 40}])
@pytest.mark.parametrize("kind", ["numpy", "pandas", "strict-device1"])
def test_same_rows_as_imbalanced_learn(kind, strategy):
    X_exp, y_exp = imb_make_imbalance(X, Y, sampling_strategy=strategy, random_state=3)
    if kind == "numpy":
        X_res, y_res = make_imbalance(X, Y, sampling_strategy=strategy, random_state=3)
    elif kind == "pandas":
        X_res, y_res = make_imbalance(pd.DataFrame(X, columns=list("abcd")), pd.Series(Y),
                                      sampling_strategy=strategy, random_state=3)
        assert list(X_res.columns) == list("abcd")
        X_res, y_res = X_res.to_numpy(), y_res.to_numpy()
    else:
        X_dev = array_api_strict.asarray(X, device=DEVICE1)
        y_dev = array_api_strict.asarray(Y, device=DEVICE1)
        X_res, y_res = make_imbalance(X_dev, y_dev, sampling_strategy=strategy,
                                      random_state=3)
        assert X_res.device == DEVICE1 and y_res.device == DEVICE1
        X_res, y_res = to_host(X_res), to_host(y_res)
    np.testing.assert_array_equal(X_res, X_exp)
    np.testing.assert_array_equal(y_res, y_exp)


def test_callable_strategy_kwargs_and_verbose(capsys):
    def ratio(y, multiplier):
        counts = Counter(y.tolist())
        return {k: int(n * multiplier) for k, n in counts.items()}

    X_res, y_res = make_imbalance(X, Y, sampling_strategy=ratio, multiplier=0.5,
                                  random_state=0, verbose=True)
    X_exp, y_exp = imb_make_imbalance(X, Y, sampling_strategy=ratio, multiplier=0.5,
                                      random_state=0)
    np.testing.assert_array_equal(X_res, X_exp)
    out = capsys.readouterr().out
    assert "The original target distribution in the dataset is:" in out
    assert "Make the dataset imbalanced:" in out


def test_errors():
    with pytest.raises(ValueError, match="needs 'sampling_strategy'"):
        make_imbalance(X, Y)
    for strategy in ({0: 60}, {0: -1}, {5: 1}):
        with pytest.raises(ValueError) as theirs:
            imb_make_imbalance(X, Y, sampling_strategy=strategy)
        with pytest.raises(ValueError) as ours:
            make_imbalance(X, Y, sampling_strategy=strategy)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="'sampling_strategy' parameter"):
        make_imbalance(X, Y, sampling_strategy=0.5)


def test_demo_dataset_still_importable():
    X_demo, y_demo = make_demo_dataset(n_samples=200)
    assert X_demo.shape == (200, 10) and set(np.unique(y_demo)) == {0, 1, 2}
