"""SMOTE variants that filter the samples they grow from: Borderline and SVM.

BorderlineSMOTE only interpolates from the samples "in danger" (most, but not
all, of their ``m_neighbors`` nearest neighbours belong to another class).
SVMSMOTE grows from the support vectors of an SVM trained on all the data:
towards the class from those in danger, away from it (extrapolation) from the
safe ones.

Provenance (``provenance_``): each synthetic row satisfies
``X_new = X[base] + step * (X[neighbor] - X[base])`` with global row indices.
For BorderlineSMOTE-2 ``step = u * f`` towards neighbours of another class
(``u ~ U[0, 1)``, ``f ~ U[0, 0.5)``) and ``step = u`` otherwise. For SVMSMOTE's
safe support vectors ``step = -out_step * u`` (negative: the sample moves away
from its same-class neighbour); for those in danger ``step = u``.
"""

import numbers

from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from gpuimb.over_sampling._provenance import SyntheticBlocks
from gpuimb.over_sampling._smote.base import BaseSMOTE, neighbors_wanted
from gpuimb.utils._array_api import (
    flatnonzero,
    python_scalar,
    take_rows,
)
from gpuimb.utils._validation import neighbors_constraint

__all__ = ["BorderlineSMOTE", "SVMSMOTE"]


class BorderlineSMOTE(BaseSMOTE):
    """Over-sample with Borderline-SMOTE, from the rows near the class border.

    Only the rows "in danger" are used as bases: those with at least half,
    but not all, of their ``m_neighbors`` nearest neighbours (in the whole
    data set) from other classes. Rows whose neighbours are all from other
    classes are taken as noise and rows surrounded by their own class as
    safe; neither grows new rows. ``"borderline-1"`` interpolates towards
    neighbours of the same class; ``"borderline-2"`` also towards neighbours of
    other classes, with a step shrunk to ``[0, 0.5)`` so the new row stays on
    its class's side.

    Read more in imbalanced-learn's user guide on SMOTE variants.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class should have once over-sampled.

        - float: the wanted ratio ``n_minority_after / n_majority`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          over-sampler cannot remove samples).
        - str: which classes grow to the size of the majority class:
          ``"minority"`` (the smallest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not majority"``.
        - dict: ``{class label: number of samples wanted after resampling}``;
          classes left out keep their samples, and a number below a class's
          current size is an error.
        - callable: ``f(y)`` returning such a dict.
    random_state : int, RandomState instance or None, default=None
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    k_neighbors : int or estimator object, default=5
        How many nearest neighbours a new row may be drawn towards. An object
        with ``kneighbors`` and ``kneighbors_graph`` is used as it is (its
        ``n_neighbors`` counts the row itself).
    m_neighbors : int or estimator object, default=10
        Size of the neighbourhood that decides whether a row is noise, in
        danger or safe; an int or an object as for ``k_neighbors``.
    kind : {"borderline-1", "borderline-2"}, default="borderline-1"
        The variant, as described above.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    nn_k_ : estimator object
        Nearest-neighbours estimator built from ``k_neighbors``.
    nn_m_ : estimator object
        Nearest-neighbours estimator built from ``m_neighbors``.
    in_danger_indices : dict of arrays
        For each over-sampled class, the original rows found in danger.
    provenance_ : SyntheticProvenance
        Where each synthetic row came from: ``n_original`` (the original rows
        come first in the output), then per synthetic row the ``base_indices``
        it grew from, the ``neighbor_indices`` it moved towards and the
        interpolation ``steps``, all indices of the X given to ``fit_resample``.
        :func:`gpuimb.plotting.scatter_resampling` draws them.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        Name of what answered the nearest-neighbour queries: ``"sklearn"`` for
        host data, ``"cuml"`` or the array-API engine for device data (set by
        ``gpuimb.config_context(backend=...)`` or chosen from the data).

    See Also
    --------
    SMOTE : New rows from every row of the class.
    SVMSMOTE : Bases chosen by a support vector machine.
    ADASYN : More new rows where the class is surrounded by others.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    A class without any row in danger gets no new samples (as in
    imbalanced-learn).

    References
    ----------
    .. [1] H. Han, W.-Y. Wang and B.-H. Mao, "Borderline-SMOTE: a new
       over-sampling method in imbalanced data sets learning", International
       Conference on Intelligent Computing, pp. 878-887, 2005.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.over_sampling import BorderlineSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> sampler = BorderlineSMOTE(random_state=42)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 449), (1, 449)]
    >>> int(sampler.in_danger_indices[1].shape[0])
    39
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": neighbors_constraint(),
        "kind": [StrOptions({"borderline-1", "borderline-2"})],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5,
                 m_neighbors=10, kind="borderline-1"):
        super().__init__(sampling_strategy=sampling_strategy,
                         random_state=random_state, k_neighbors=k_neighbors)
        self.m_neighbors = m_neighbors
        self.kind = kind

    def _validate_estimator(self, ctx):
        super()._validate_estimator(ctx)
        self.nn_m_ = ctx.neighbors("m_neighbors", self.m_neighbors,
                                   additional_neighbor=1)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        self.in_danger_indices = {}
        out = SyntheticBlocks(X, y)
        m_fitted = False
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            X_class = take_rows(X, class_indices)
            if not m_fitted:  # fitted on all of X: the same for every class
                ctx.fit_exposed(self.nn_m_, X,
                                queried=neighbors_wanted(self.m_neighbors) is None)
                m_fitted = True
            danger = self._in_danger_noise(self.nn_m_, X, X_class, klass, y,
                                           kind="danger", ctx=ctx,
                                           k=neighbors_wanted(self.m_neighbors))
            danger_local = flatnonzero(xp, danger)
            if danger_local.shape[0] == 0:
                continue
            danger_global = xp.astype(xp.take(class_indices, danger_local), xp.int64)
            self.in_danger_indices[klass] = danger_global
            X_danger = take_rows(X_class, danger_local)
            if self.kind == "borderline-1":
                nn_data, nn_rows, y_check = X_class, class_indices, None
            else:
                nn_data, nn_rows, y_check = X, None, y
            nns = self._fit_neighbors(self.nn_k_, nn_data, X_danger, ctx=ctx)
            X_new, y_new, (rows, nbrs, steps) = self._make_samples(
                X_danger, y.dtype, klass, nn_data, nns, n_samples, y=y_check, ctx=ctx)
            neighbors = (xp.astype(nbrs, xp.int64) if nn_rows is None
                         else self._global(ctx, nn_rows, nbrs))
            out.add(X_new, y_new, self._global(ctx, danger_global, rows), neighbors, steps)
        return out.result(self, ctx)


class SVMSMOTE(BaseSMOTE):
    """Over-sample with SVM-SMOTE, from the support vectors of an SVM.

    A support vector classifier is trained on the whole data set; the class's
    support vectors are the candidate bases. Those whose ``m_neighbors``
    neighbours all belong to other classes are dropped as noise. A part of the
    new rows (a Beta(10, 10) fraction) interpolates from the support vectors
    in danger (at least half of the neighbours from other classes) towards
    same-class neighbours; the rest extrapolates from the safe ones, by up to
    ``out_step``, away from a same-class neighbour, pushing the class border
    outwards.

    Read more in imbalanced-learn's user guide on SMOTE variants.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class should have once over-sampled.

        - float: the wanted ratio ``n_minority_after / n_majority`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          over-sampler cannot remove samples).
        - str: which classes grow to the size of the majority class:
          ``"minority"`` (the smallest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not majority"``.
        - dict: ``{class label: number of samples wanted after resampling}``;
          classes left out keep their samples, and a number below a class's
          current size is an error.
        - callable: ``f(y)`` returning such a dict.
    random_state : int, RandomState instance or None, default=None
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    k_neighbors : int or estimator object, default=5
        How many same-class nearest neighbours a new row is drawn with. An
        object with ``kneighbors`` and ``kneighbors_graph`` is used as it is
        (its ``n_neighbors`` counts the row itself).
    m_neighbors : int or estimator object, default=10
        Size of the neighbourhood that sorts support vectors into noise, in
        danger and safe; an int or an object as for ``k_neighbors``.
    svm_estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict`` that exposes ``support_``
        once fitted. ``None`` uses the engine's ``SVC(gamma="scale")``
        (scikit-learn on the host, cuML on a GPU) seeded by ``random_state``.
    out_step : float, default=0.5
        Largest step of the extrapolation from the safe support vectors.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    nn_k_ : estimator object
        Nearest-neighbours estimator built from ``k_neighbors``.
    nn_m_ : estimator object
        Nearest-neighbours estimator built from ``m_neighbors``.
    svm_estimator_ : estimator object
        The fitted support vector classifier.
    provenance_ : SyntheticProvenance
        Where each synthetic row came from: ``n_original`` (the original rows
        come first in the output), then per synthetic row the ``base_indices``
        it grew from, the ``neighbor_indices`` it moved towards and the
        interpolation ``steps``, all indices of the X given to ``fit_resample``.
        :func:`gpuimb.plotting.scatter_resampling` draws them.
        Extrapolated rows have negative steps.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the neighbour searches and the SVM.

    See Also
    --------
    BorderlineSMOTE : Bases chosen by their neighbourhood.
    SMOTE : New rows from every row of the class.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    As in imbalanced-learn, when no support vector is in danger (or none is
    safe) only the share of the other group is generated, so a class may get
    fewer new samples than ``sampling_strategy_`` asks.

    References
    ----------
    .. [1] H. M. Nguyen, E. W. Cooper and K. Kamei, "Borderline over-sampling
       for imbalanced data classification", International Journal of
       Knowledge Engineering and Soft Data Paradigms, 3(1), pp. 4-21, 2009.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.over_sampling import SVMSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> X_res, y_res = SVMSMOTE(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 449), (1, 449)]
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": neighbors_constraint(),
        "svm_estimator": [HasMethods(["fit", "predict"]), None],
        "out_step": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5,
                 m_neighbors=10, svm_estimator=None, out_step=0.5):
        super().__init__(sampling_strategy=sampling_strategy,
                         random_state=random_state, k_neighbors=k_neighbors)
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _validate_estimator(self, ctx):
        super()._validate_estimator(ctx)
        self.nn_m_ = ctx.neighbors("m_neighbors", self.m_neighbors,
                                   additional_neighbor=1)
        if self.svm_estimator is None:
            self.svm_estimator_ = ctx.engine.classifier(
                "svc", gamma="scale", random_state=self.random_state)
        else:
            self.svm_estimator_ = ctx.adapt(clone(self.svm_estimator))

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        random_state = ctx.random_state(self.random_state)
        out = SyntheticBlocks(X, y)
        m_fitted = False
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            label = python_scalar(klass)
            class_indices = flatnonzero(xp, y == label)
            X_class = take_rows(X, class_indices)
            # Refitted for every class as imbalanced-learn does: an SVC given a
            # RandomState instance consumes one draw from it at each fit.
            self.svm_estimator_.fit(X, y)
            if not hasattr(self.svm_estimator_, "support_"):
                raise RuntimeError(
                    "`svm_estimator` is required to exposed a `support_` fitted "
                    "attribute. Such estimator belongs to the familly of Support "
                    "Vector Machine."
                )
            # Sorted and unique: cuML's multiclass SVC concatenates its one-vs-one
            # machines' supports (repeated, unsorted); scikit-learn's are unique.
            support = xp.unique_values(ctx.asarray(self.svm_estimator_.support_, dtype=xp.int64))
            support = xp.take(support, flatnonzero(xp, xp.take(y, support) == label))
            if not m_fitted:
                ctx.fit_exposed(self.nn_m_, X,
                                queried=neighbors_wanted(self.m_neighbors) is None)
                m_fitted = True
            noise = self._in_danger_noise(self.nn_m_, X, take_rows(X, support), klass, y,
                                          kind="noise", ctx=ctx,
                                          k=neighbors_wanted(self.m_neighbors))
            support = xp.take(support, flatnonzero(xp, ~noise))
            if support.shape[0] == 0:
                raise ValueError(
                    "All support vectors are considered as noise. SVM-SMOTE is not "
                    "adapted to your dataset. Try another SMOTE variant."
                )
            support_vectors = take_rows(X, support)
            danger = self._in_danger_noise(self.nn_m_, X, support_vectors, klass, y,
                                           kind="danger", ctx=ctx,
                                           k=neighbors_wanted(self.m_neighbors))
            ctx.fit_exposed(self.nn_k_, X_class,
                            queried=neighbors_wanted(self.k_neighbors) is None)
            fraction = random_state.beta(10, 10)
            n_danger_samples = int(fraction * (n_samples + 1))
            groups = (
                (flatnonzero(xp, danger), n_danger_samples, 1.0),
                (flatnonzero(xp, ~danger), n_samples - n_danger_samples,
                 -self.out_step),
            )
            for positions, n_group, step_size in groups:
                if positions.shape[0] == 0:
                    continue
                bases = xp.take(support, positions)
                X_bases = take_rows(X, bases)
                nns = ctx.nearest_indices(self.nn_k_, X_class, X_bases,
                                          k=neighbors_wanted(self.k_neighbors))[:, 1:]
                X_new, y_new, (rows, nbrs, steps) = self._make_samples(
                    X_bases, y.dtype, klass, X_class, nns, n_group,
                    step_size=step_size, ctx=ctx)
                out.add(X_new, y_new, self._global(ctx, bases, rows),
                        self._global(ctx, class_indices, nbrs), steps)
        return out.result(self, ctx)
