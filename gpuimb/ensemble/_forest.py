"""BalancedRandomForestClassifier: a random forest whose trees grow on balanced bootstraps.

How a fit runs (host and device alike):

1. Validate once: X as float32 (the trees' dtype), y encoded as class codes,
   class weights, the sampling strategy (one ``sampling_strategy_`` for all
   trees: it depends on the class counts only).
2. Draw all random numbers on the host, in imbalanced-learn's order: per tree
   one tree seed then one sampler seed (from the forest's random state), then,
   from each sampler seed, the positions picked in each class (class by class,
   as :class:`~gpuimb.under_sampling.RandomUnderSampler` draws them). The rows
   of each class are found once per fit, not once per tree, and no per-tree
   validation runs: that per-tree Python work is what makes imbalanced-learn's
   version slow.
3. Fit the trees: scikit-learn trees in parallel threads (``n_jobs``), each job
   gathering its own rows; or, for CuPy data with cuML importable, one
   single-tree cuML forest per balanced bootstrap on the device.
"""

import numbers
from copy import deepcopy
from warnings import warn

import numpy as np
from scipy.sparse import issparse
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble._forest import (
    _generate_sample_indices,
    _generate_unsampled_indices,
    _get_n_samples_bootstrap,
    _parallel_build_trees,
)
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from gpuimb.ensemble._common import (
    LearnerPlace,
    check_device_X_predict,
    check_device_X_y,
    classes_at,
    device_input,
    encode_sampling_strategy,
    member_pipelines,
    new_member_seeds,
    record_device_features,
)
from gpuimb.under_sampling import RandomUnderSampler
from gpuimb.utils._array_api import (
    get_namespace,
    is_cupy_namespace,
    module_available,
    take_rows,
    to_host,
    to_namespace,
)
from gpuimb.utils._random import choice_positions
from gpuimb.utils._validation import check_sampling_strategy, check_target_type


def _balanced_rows(seed, class_rows, strategy, replacement):
    """Rows one RandomUnderSampler with ``random_state=seed`` keeps (host indices).

    ``class_rows[k]`` holds the rows of class code ``k``; the classes are drawn
    in code order, like the sampler does.
    """
    random_state = np.random.RandomState(seed)
    kept = []
    for code, rows in enumerate(class_rows):
        if code in strategy:
            rows = rows[choice_positions(random_state, rows.shape[0], strategy[code],
                                         replacement)]
        kept.append(rows)
    return np.concatenate(kept).astype(np.int64, copy=False)


def _fit_sklearn_tree(tree, X, rows, y_codes, sample_weight, place, bootstrap, tree_idx,
                      n_trees, verbose, class_weight, n_samples_bootstrap, missing):
    """Gather one tree's rows and fit it (runs in a worker thread)."""
    X_tree = place.host(take_rows(X, rows), tree)
    host_rows = to_host(rows)
    weight = None if sample_weight is None else sample_weight[host_rows]
    return _parallel_build_trees(
        tree, bootstrap, X_tree, y_codes[host_rows], weight, tree_idx, n_trees,
        verbose=verbose, class_weight=class_weight,
        n_samples_bootstrap=min(n_samples_bootstrap, host_rows.shape[0]),
        missing_values_in_feature_mask=missing,
    )


class BalancedRandomForestClassifier(RandomForestClassifier):
    """Random forest whose trees each grow on a randomly under-sampled, balanced sample.

    Each tree gets its own :class:`~gpuimb.under_sampling.RandomUnderSampler`
    draw (by default every class drawn with replacement to the minority size,
    the method of Chen, Liaw and Breiman, 2004), then is grown like a
    scikit-learn random-forest tree (optionally on a further bootstrap). Same
    parameters, defaults, attributes and, for the same ``random_state``, the
    same trees, samplers and predictions as imbalanced-learn 0.14's class of
    the same name.

    **Where it runs.** NumPy, pandas and SciPy sparse data: scikit-learn trees,
    fitted in ``n_jobs`` threads; the balanced samples are drawn for all trees
    up front, with no per-tree validation, which makes it faster than
    imbalanced-learn's (``benchmarks/bench_ensemble.py``). CuPy data (or cuDF,
    torch CUDA) with cuML importable: the balanced samples are gathered on the
    device and each tree is a one-tree ``cuml.ensemble.RandomForestClassifier``
    (``bootstrap=False``, since cuML's forest cannot be told which rows each of
    its trees gets; with ``bootstrap=True`` the bootstrap rows are drawn by
    gpuimb and gathered on the device too), so fit, predict and the out-of-bag
    score stay on the device. cuML splits on quantile bins, so those trees
    differ from scikit-learn's (same rows, not the same splits). Host trees are
    used instead, with one INFO line on the ``gpuimb`` logger, for other device
    data (CuPy without cuML, array-API arrays such as ``array_api_strict``) and
    for options cuML lacks (``sample_weight``, ``class_weight``,
    ``min_weight_fraction_leaf``, ``ccp_alpha``, ``monotonic_cst``): each
    balanced sample is gathered on the device and copied to the host.

    Deliberate differences from imbalanced-learn 0.14.2: ``estimators_samples_``
    returns, per tree, the rows of X it was grown on (imbalanced-learn raises
    ``AttributeError``); the out-of-bag score uses the bootstrap size each tree
    was actually grown with (they differ only when ``max_samples`` is set);
    ``pipelines_`` is built on first access.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Split quality measure.
    max_depth : int, default=None
        Maximum depth of a tree; None grows until the leaves are pure or
        smaller than ``min_samples_split``.
    min_samples_split : int or float, default=2
        Minimum samples to split a node (a float is a fraction).
    min_samples_leaf : int or float, default=1
        Minimum samples in a leaf (a float is a fraction).
    min_weight_fraction_leaf : float, default=0.0
        Minimum weighted fraction of the total weight in a leaf.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features considered at each split.
    max_leaf_nodes : int, default=None
        Grow at most this many leaves, best first.
    min_impurity_decrease : float, default=0.0
        Split only when the impurity decreases by at least this much.
    bootstrap : bool, default=False
        Grow each tree on a bootstrap of its balanced sample (the balanced
        sample is already drawn with replacement by default).
    oob_score : bool, default=False
        Estimate the accuracy on each tree's out-of-bootstrap rows (needs
        ``bootstrap=True``).
    sampling_strategy : float, str, dict or callable, default="all"
        Target class sizes of each tree's under-sampler (see
        :class:`~gpuimb.under_sampling.RandomUnderSampler`).
    replacement : bool, default=True
        Under-sample with replacement.
    n_jobs : int, default=None
        Threads fitting the trees and predicting (host trees).
    random_state : int, RandomState instance or None, default=None
        Controls the samplers, the bootstraps and the trees' features.
    verbose : int, default=0
        Verbosity of the tree building.
    warm_start : bool, default=False
        Keep the trees of the previous ``fit`` and add new ones.
    class_weight : dict, list of dict, {"balanced", "balanced_subsample"}, default=None
        Class weights, as in :class:`~sklearn.ensemble.RandomForestClassifier`.
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning parameter.
    max_samples : int or float, default=None
        With ``bootstrap=True``, rows drawn per tree (never more than the
        balanced sample has).
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Monotonicity constraint per feature (1, 0 or -1).

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
        Template of the trees.
    estimators_ : list of DecisionTreeClassifier (or of one-tree cuML forests)
        The fitted trees.
    base_sampler_ : RandomUnderSampler
        Template of the samplers.
    samplers_ : list of RandomUnderSampler
        Fitted samplers; ``samplers_[i].sample_indices_`` are the rows of tree
        ``i``'s balanced sample (in X's namespace and device).
    pipelines_ : list of Pipeline
        Copies of each (sampler, tree) pair as a gpuimb pipeline.
    estimators_samples_ : list of arrays
        Rows of X each tree was grown on (balanced sample, then bootstrap).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    n_outputs_ : int
        Number of outputs (1).
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based feature importances.
    oob_score_ : float
        Out-of-bag accuracy (``oob_score=True``).
    oob_decision_function_ : array of shape (n_samples, n_classes)
        Out-of-bag class probabilities.
    engine_ : str
        What grew the trees: ``"sklearn"`` or ``"cuml"``.

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler and learner.
    EasyEnsembleClassifier : AdaBoost learners on balanced bags.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.ensemble import BalancedRandomForestClassifier
    >>> X, y = make_classification(n_samples=1000, n_classes=3, n_informative=4,
    ...                            weights=[0.2, 0.3, 0.5], random_state=0)
    >>> clf = BalancedRandomForestClassifier(max_depth=2, random_state=0).fit(X, y)
    >>> clf.predict([[0] * 20]).tolist()
    [1]
    """

    _parameter_constraints = deepcopy(RandomForestClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "bootstrap": ["boolean", Hidden(StrOptions({"warn"}))],
            "sampling_strategy": [
                Interval(numbers.Real, 0, 1, closed="right"),
                StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
                dict,
                callable,
                Hidden(StrOptions({"warn"})),
            ],
            "replacement": ["boolean", Hidden(StrOptions({"warn"}))],
        }
    )

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        sampling_strategy="all",
        replacement=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
        monotonic_cst=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _validate_estimator(self, default=None):
        if self.estimator is not None:
            self.estimator_ = clone(self.estimator)
        else:
            self.estimator_ = clone(default if default is not None
                                    else DecisionTreeClassifier())
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=self._sampling_strategy, replacement=self.replacement)

    # ------------------------------------------------------------------ fit

    def _use_cuml(self, xp, sample_weight):
        return (
            is_cupy_namespace(xp)
            and sample_weight is None
            and self.class_weight is None
            and self.min_weight_fraction_leaf == 0.0
            and self.ccp_alpha == 0.0
            and self.monotonic_cst is None
            and module_available("cuml")
        )

    def _cuml_tree(self, seed):
        """One single-tree cuML forest, with this forest's tree parameters."""
        from cuml.ensemble import RandomForestClassifier as CumlForest

        max_features = 1.0 if self.max_features is None else self.max_features
        params = dict(
            n_estimators=1, bootstrap=False, max_features=max_features,
            split_criterion="gini" if self.criterion == "gini" else "entropy",
            min_samples_leaf=self.min_samples_leaf,
            min_samples_split=self.min_samples_split,
            min_impurity_decrease=self.min_impurity_decrease,
            max_leaves=-1 if self.max_leaf_nodes is None else self.max_leaf_nodes,
            random_state=int(seed), n_streams=1,
        )
        if self.max_depth is not None:
            params["max_depth"] = self.max_depth
        return CumlForest(**params)

    def fit(self, X, y, sample_weight=None):
        """Grow the forest on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (cast to float32); NumPy, pandas, SciPy sparse (as
            CSC), or device data (CuPy, cuDF, torch, array-API arrays).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (each tree gets those of its rows).

        Returns
        -------
        self : object
            The fitted forest.
        """
        self._validate_params()
        on_device = device_input(X)
        if on_device:
            X, y, xp, device = check_device_X_y(X, y, allow_nan=True)
            X = xp.astype(X, xp.float32, copy=False)
            record_device_features(self, X)
            y = to_host(y)
            has_nan = to_host(xp.any(xp.isnan(X), axis=0))
            missing = has_nan if has_nan.any() else None
        else:
            if issparse(y):
                raise ValueError("sparse multilabel-indicator for y is not supported.")
            X, y = validate_data(self, X=X, y=y, multi_output=True, accept_sparse="csc",
                                 dtype=np.float32, ensure_all_finite=False)
            template = type(self.estimator)(criterion=self.criterion)
            missing = template._compute_missing_values_in_feature_mask(
                X, estimator_name=type(self).__name__)
            if issparse(X):
                X.sort_indices()
            xp, device = np, "cpu"
        n_samples = X.shape[0]
        self._n_samples = n_samples
        if sample_weight is not None:
            sample_weight = _check_sample_weight(to_host(sample_weight),
                                                 np.empty((n_samples, 0)))

        y = np.atleast_1d(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warn("A column-vector y was passed when a 1d array was expected. Please "
                 "change the shape of y to (n_samples,), for example using ravel().",
                 DataConversionWarning, stacklevel=2)
        if y.ndim == 1:
            y = np.reshape(y, (-1, 1))
        self.n_outputs_ = y.shape[1]
        if self.n_outputs_ > 1:
            # Balanced draws are per class: multilabel and multioutput targets are
            # refused, as imbalanced-learn's samplers refuse them in each tree.
            check_target_type(y)
        y_codes, expanded_class_weight = self._validate_y_class_weight(y, sample_weight)
        y_codes = np.ascontiguousarray(y_codes, dtype=np.float64)
        self._sampling_strategy = encode_sampling_strategy(
            self.sampling_strategy, y, self.classes_[0], "under-sampling")
        if expanded_class_weight is not None:
            sample_weight = (expanded_class_weight if sample_weight is None
                             else sample_weight * expanded_class_weight)
        n_samples_bootstrap = _get_n_samples_bootstrap(
            n_samples=n_samples, max_samples=self.max_samples, sample_weight=sample_weight)
        self._n_samples_bootstrap = n_samples_bootstrap
        self._validate_estimator()
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")

        random_state = check_random_state(self.random_state)
        place = LearnerPlace(self, xp, device)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
            self.samplers_ = []
            self._pipelines = []
        # per tree: the tree's seed, then its sampler's
        seeds = new_member_seeds(self, random_state, per_member=2)
        if seeds is not None:
            self._grow(X, y_codes, sample_weight, seeds, n_samples_bootstrap, missing,
                       xp, device, place)

        if self.oob_score:
            y_type = type_of_target(y)
            if y_type in ("multiclass-multioutput", "unknown"):
                raise ValueError(
                    "The type of target cannot be used to compute OOB "
                    f"estimates. Got {y_type} while only the following are "
                    "supported: continuous, continuous-multioutput, binary, "
                    "multiclass, multilabel-indicator."
                )
            self._set_oob(X, y_codes, xp, device, place)
        if hasattr(self, "classes_") and self.n_outputs_ == 1:
            self.n_classes_ = self.n_classes_[0]
            self.classes_ = self.classes_[0]
        return self

    def _grow(self, X, y_codes, sample_weight, seeds, n_samples_bootstrap, missing, xp,
              device, place):
        codes = y_codes[:, 0].astype(np.intp)
        strategy = check_sampling_strategy(self._sampling_strategy, codes, "under-sampling")
        class_rows = [np.flatnonzero(codes == k) for k in range(int(codes.max()) + 1)]
        use_cuml = self._use_cuml(xp, sample_weight)
        n_trees = seeds.shape[0]
        trees, samplers, rows_per_tree = [], [], []
        for tree_seed, sampler_seed in seeds.tolist():
            if use_cuml:
                tree = self._cuml_tree(tree_seed)
                tree.random_state = tree_seed
            else:
                tree = self._make_estimator(append=False)
                tree.random_state = tree_seed
            sampler = clone(self.base_sampler_)
            sampler.random_state = sampler_seed
            rows = _balanced_rows(sampler_seed, class_rows, strategy, self.replacement)
            rows = to_namespace(rows, xp, device, dtype=xp.int64)
            sampler.sampling_strategy_ = dict(strategy)
            sampler.sample_indices_ = rows
            sampler.n_features_in_ = X.shape[1]
            sampler.engine_ = "numpy" if xp is np else getattr(xp, "__name__", str(xp))
            trees.append(tree)
            samplers.append(sampler)
            rows_per_tree.append(rows)

        if use_cuml:
            codes_device = to_namespace(codes.astype(np.int32), xp, device, dtype=xp.int32)
            for tree, rows in zip(trees, rows_per_tree, strict=True):
                rows = self._bootstrap_rows(tree, rows)
                tree.fit(take_rows(X, rows), xp.take(codes_device, rows))
            self.engine_ = "cuml"
        else:
            trees = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
                delayed(_fit_sklearn_tree)(
                    tree, X, rows, y_codes, sample_weight, place, self.bootstrap, i,
                    n_trees, self.verbose, self.class_weight, n_samples_bootstrap, missing,
                )
                for i, (tree, rows) in enumerate(zip(trees, rows_per_tree, strict=True))
            )
            self.engine_ = "sklearn"
        self.estimators_.extend(trees)
        self.samplers_.extend(samplers)

    def _bootstrap_rows(self, tree, rows):
        """Rows of X tree ``tree`` grows on: its balanced rows, then its bootstrap."""
        if not self.bootstrap:
            return rows
        n_rows = rows.shape[0]
        draws = _generate_sample_indices(
            tree.random_state, n_rows, min(self._n_samples_bootstrap, n_rows), None)
        xp = get_namespace(rows)
        return xp.take(rows, to_namespace(draws, xp, rows.device, dtype=xp.int64))

    # ----------------------------------------------------------- attributes

    pipelines_ = property(member_pipelines)

    @property
    def estimators_samples_(self):
        """Rows of X each tree was grown on: its balanced sample, then its bootstrap."""
        check_is_fitted(self)
        return [self._bootstrap_rows(tree, sampler.sample_indices_)
                for sampler, tree in zip(self.samplers_, self.estimators_, strict=True)]

    @property
    def feature_importances_(self):
        """Impurity-based feature importances, normalised to sum to 1."""
        check_is_fitted(self)
        if getattr(self, "engine_", "sklearn") != "cuml":
            return super().feature_importances_
        values = np.mean([to_host(t.feature_importances_) for t in self.estimators_],
                         axis=0, dtype=np.float64)
        total = values.sum()
        return values / total if total > 0 else values

    def _set_oob(self, X, y_codes, xp, device, place):
        n_samples = y_codes.shape[0]
        n_classes = int(self.n_classes_[0])
        oob = np.zeros((n_samples, n_classes, 1), dtype=np.float64)
        n_oob = np.zeros((n_samples, 1), dtype=np.int64)
        if xp is np and issparse(X):
            X = X.tocsr()
        for sampler, tree in zip(self.samplers_, self.estimators_, strict=True):
            rows = to_host(sampler.sample_indices_)
            n_rows = rows.shape[0]
            out = _generate_unsampled_indices(
                tree.random_state, n_rows, min(self._n_samples_bootstrap, n_rows), None)
            out_rows = rows[out]
            X_out = take_rows(X, to_namespace(out_rows, xp, device, dtype=xp.int64))
            if self.engine_ == "cuml":
                pred = to_host(tree.predict_proba(X_out))
            else:
                pred = tree.predict_proba(place.host(X_out, tree), check_input=False)
            oob[out_rows, ...] += np.asarray(pred)[..., np.newaxis]
            n_oob[out_rows, :] += 1
        if (n_oob == 0).any():
            warn("Some inputs do not have OOB scores. This probably means too few trees "
                 "were used to compute any reliable OOB estimates.", UserWarning)
            n_oob[n_oob == 0] = 1
        oob[..., 0] /= n_oob[..., [0]]
        decision = oob.squeeze(axis=-1)
        self.oob_score_ = accuracy_score(y_codes[:, 0], np.argmax(decision, axis=1))
        self.oob_decision_function_ = place.back(decision)

    # -------------------------------------------------------------- predict

    def predict_proba(self, X):
        """Mean class probabilities of the trees.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``, in X's namespace.
        """
        if getattr(self, "engine_", "sklearn") == "cuml":
            X, xp, device = check_device_X_predict(self, X, allow_nan=True)
            total = 0
            for tree in self.estimators_:
                total = total + xp.astype(tree.predict_proba(X), xp.float64)
            return total / len(self.estimators_)
        if device_input(X):
            X, xp, device = check_device_X_predict(self, X, allow_nan=True)
            place = LearnerPlace(self, xp, device)
            return place.back(super().predict_proba(place.host(X, self.estimators_[0])))
        return super().predict_proba(X)

    def predict(self, X):
        """Predict the most probable class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        y : array of shape (n_samples,)
            Predicted labels, in X's namespace and on its device.
        """
        if getattr(self, "engine_", "sklearn") == "cuml" or device_input(X):
            proba = self.predict_proba(X)
            return classes_at(self.classes_, get_namespace(proba).argmax(proba, axis=1))
        return super().predict(X)

    def predict_log_proba(self, X):
        """Log of the mean class probabilities of the trees.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class log-probabilities in the order of ``classes_``.
        """
        proba = self.predict_proba(X)
        return get_namespace(proba).log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        tags.input_tags.allow_nan = True
        return tags
