

def test_multilabel_target_is_refused_like_imblearn():
    import numpy as np
    import pytest
    from imblearn.ensemble import BalancedRandomForestClassifier as ImbForest

    from gpuimb.ensemble import BalancedRandomForestClassifier

    rng = np.random.RandomState(0)
    X, Y = rng.randn(60, 3), (rng.rand(60, 3) > 0.5).astype(int)
    for cls in (ImbForest, BalancedRandomForestClassifier):
        with pytest.raises(ValueError, match="Multilabel and multioutput targets"):
            cls(n_estimators=3, random_state=0).fit(X, Y)
