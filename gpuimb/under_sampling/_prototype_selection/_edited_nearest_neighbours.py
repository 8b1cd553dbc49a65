"""Edited nearest neighbours: EditedNearestNeighbours, RepeatedEditedNearestNeighbours
and AllKNN.

All three remove the targeted samples whose neighbourhood disagrees with their
label. The neighbours of every sample are found once (one kNN table); when
samples are removed, each survivor's neighbours among the survivors are the
first surviving columns of its row, so the repeated and growing editions of
RENN and AllKNN slice that table instead of searching again. Rows whose table
runs out of survivors are the only ones searched again, against the survivors.

Tie order in later rounds: imbalanced-learn runs each round on the previous
round's output, whose rows are grouped by class (sorted), so among equidistant
neighbours the first round prefers the smaller original index and later rounds
the smaller (class, original index). The table is re-ordered that way for the
later rounds, which gives imbalanced-learn's result with an exact kNN.
"""

import numbers

from sklearn.base import clone
from sklearn.utils._param_validation import Interval, StrOptions

from gpuimb._backends._base import kneighbors_error
from gpuimb.under_sampling._prototype_selection._common import (
    _agree,
    _set_n_jobs,
    class_codes,
    minority_class,
)
from gpuimb.under_sampling.base import BaseCleaningSampler
from gpuimb.utils._array_api import flatnonzero, place_rows, take_rows
from gpuimb.utils._progress import progress
from gpuimb.utils._validation import (
    check_sampling_strategy,
    class_counts,
    clone_estimator,
    fit_requires_y,
    neighbors_constraint,
)


class _Neighbourhoods:
    """Nearest surviving neighbours of every sample, from one kNN table.

    Parameters
    ----------
    ctx : SamplingContext
    X : array or sparse matrix of shape (n_samples, n_features)
    nn : estimator or None
        A user neighbours estimator (its first column is taken as the query
        itself and dropped, as imbalanced-learn does), or None for the engine.
    n_columns : int
        Neighbours per row kept in the table (engine only; a user estimator
        gives its own ``n_neighbors - 1``).
    """

    def __init__(self, ctx, X, nn, n_columns):
        self.ctx, self.X, self.nn = ctx, X, nn
        xp = ctx.xp
        n_samples = X.shape[0]
        self.dist = self._by_class = None
        if nn is None:
            n_columns = min(n_columns, n_samples - 1)
            self.dist, table = ctx.engine.kneighbors(X, k=n_columns, return_distance=True)
            self.complete = n_columns == n_samples - 1
        else:
            nn.fit(X)
            table = nn.kneighbors(X, return_distance=False)[:, 1:]
        self.table = xp.astype(table, xp.int64)

    def _class_ordered(self, codes):
        """The table (and distances) with ties ordered by (class code, index)."""
        if self._by_class is None:
            xp = self.ctx.xp
            n_samples, n_columns = self.table.shape
            nb_codes = xp.reshape(xp.take(codes, xp.reshape(self.table, (-1,))),
                                  (n_samples, n_columns))
            # The table is in (distance, index) order: a stable sort by class,
            # then a stable sort by distance, gives (distance, class, index).
            by_code = xp.argsort(nb_codes, axis=1, stable=True)
            table = xp.take_along_axis(self.table, by_code, axis=1)
            dist = xp.take_along_axis(self.dist, by_code, axis=1)
            by_dist = xp.argsort(dist, axis=1, stable=True)
            self._by_class = (xp.take_along_axis(table, by_dist, axis=1),
                              xp.take_along_axis(dist, by_dist, axis=1))
        return self._by_class

    def first_alive(self, alive, k, wanted, codes=None):
        """The ``k`` nearest neighbours of each row among the ``alive`` samples.

        Rows outside ``wanted`` may hold any neighbours (they are not used).
        ``codes`` (the class code of every sample) asks for a later round's
        tie order: equidistant neighbours by (class, index).
        """
        xp = self.ctx.xp
        later_round = codes is not None and self.dist is not None
        table, dist = self._class_ordered(codes) if later_round else (self.table, None)
        n_samples, n_columns = table.shape
        flat = xp.reshape(table, (-1,))
        nb_alive = xp.reshape(xp.take(alive, flat), (n_samples, n_columns))
        dead_first = xp.astype(~nb_alive, xp.int8)
        order = xp.argsort(dead_first, axis=1, stable=True)[:, :k]
        cols = xp.take_along_axis(table, order, axis=1)
        n_found = xp.sum(xp.astype(nb_alive, xp.int64), axis=1)
        need = wanted & (n_found < k)
        if later_round and not self.complete:
            # A k-th neighbour as far as the table's last column may tie with a
            # sample outside the table that comes first by class: search again.
            kth = xp.take_along_axis(dist, order[:, k - 1:k], axis=1)[:, 0]
            need = need | (wanted & (kth == dist[:, -1]))
        if not bool(xp.any(need)):
            return cols
        redo = self._search_alive(alive, flatnonzero(xp, need), k, codes)
        return place_rows(cols, need, redo)

    def _search_alive(self, alive, rows, k, codes=None):
        """k nearest alive neighbours of ``rows`` (alive themselves), searched anew.

        With ``codes`` the survivors are searched in imbalanced-learn's order for
        a later round (grouped by class), so ties resolve by (class, index).
        """
        xp = self.ctx.xp
        alive_idx = flatnonzero(xp, alive)
        rank = xp.cumulative_sum(xp.astype(alive, xp.int64)) - 1
        position = rank
        if codes is not None:
            by_class = xp.argsort(xp.take(codes, alive_idx), stable=True)
            alive_idx = xp.take(alive_idx, by_class)
            # Where each survivor (by original rank) sits in the grouped order.
            position = xp.take(xp.argsort(by_class, stable=True), xp.clip(rank, 0, None))
        X_alive = take_rows(self.X, alive_idx)
        X_rows = take_rows(self.X, rows)
        if self.nn is None:
            found = self.ctx.engine.kneighbors(
                X_alive, X_rows, k=k, exclude_self=xp.take(position, rows),
                return_distance=False)
        else:
            self.nn.fit(X_alive)
            found = self.nn.kneighbors(X_rows, return_distance=False)[:, 1:k + 1]
        found = xp.reshape(xp.astype(found, xp.int64), (-1,))
        return xp.reshape(xp.take(alive_idx, found), (rows.shape[0], k))


class _Editor:
    """One edition rule (``kind_sel``) applied to a neighbour table."""

    def __init__(self, ctx, X, y, sampling_strategy, nn, n_columns, kind_sel):
        xp = ctx.xp
        self.xp = xp
        self.stats = class_counts(y)
        self.classes = list(self.stats)
        self.codes = class_codes(xp, y, self.classes)
        self.target(sampling_strategy)
        self.kind_sel = kind_sel
        self.hoods = _Neighbourhoods(ctx, X, nn, n_columns)
        self.user = nn is not None

    def target(self, classes):
        """Make the samples of ``classes`` the ones the editions may remove."""
        xp = self.xp
        self.targeted = xp.zeros_like(self.codes, dtype=xp.bool)
        for code, klass in enumerate(self.classes):
            if klass in classes:
                self.targeted = self.targeted | (self.codes == code)

    def class_sizes(self, alive):
        """Host list of the number of alive samples per class."""
        xp = self.xp
        return [int(xp.sum(xp.astype(alive & (self.codes == code), xp.int64)))
                for code in range(len(self.classes))]

    def check_size(self, alive, k):
        """Raise scikit-learn's error when fewer than k + 1 samples remain."""
        if self.user:
            return
        n_alive = int(self.xp.sum(self.xp.astype(alive, self.xp.int64)))
        if k + 1 > n_alive:
            sizes = self.class_sizes(alive & self.targeted)
            first = next((s for s in sizes if s), 0)
            raise kneighbors_error(k + 1, n_alive, first)

    def edit(self, alive, k, later_round=False):
        """Alive mask after one edition with ``k`` neighbours.

        ``later_round``: the survivors of a previous edition are edited (ties
        then follow imbalanced-learn's regrouped order, see the module notes).
        """
        xp = self.xp
        self.check_size(alive, k)
        wanted = alive & self.targeted
        nbrs = self.hoods.first_alive(alive, k, wanted,
                                      self.codes if later_round else None)
        agree = _agree(xp, self.codes, nbrs, self.codes, self.kind_sel,
                       len(self.classes))
        return alive & ~(self.targeted & ~agree)

    def indices(self, alive):
        """Indices of the alive samples, grouped by class in sorted class order."""
        xp = self.xp
        parts = [flatnonzero(xp, alive & (self.codes == code))
                 for code in range(len(self.classes))]
        return xp.astype(xp.concat(parts), xp.int64)


class EditedNearestNeighbours(BaseCleaningSampler):
    """Under-sample by removing the rows that their neighbours disagree with.

    A row of a targeted class is removed when its ``n_neighbors`` nearest
    neighbours do not support its class: any of them from another class with
    ``kind_sel="all"``, or its class not the most common among them with
    ``kind_sel="mode"``. This removes noise and rows on the class borders.
    The vote is one batched comparison over a kNN table.

    Read more in imbalanced-learn's user guide on edited nearest neighbours.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Which classes the rule may remove samples from; the rule itself decides
        how many go, so a number of samples cannot be asked for.

        - str: ``"majority"`` (the largest class), ``"not minority"`` (all but
          the smallest), ``"not majority"`` (all but the largest), ``"all"``
          (every class) or ``"auto"``, the same as ``"not minority"``.
        - list: the labels of the classes to clean.
        - callable: ``f(y)`` returning a dict whose keys are the classes to
          clean.
    n_neighbors : int or estimator object, default=3
        Size of the neighbourhood that judges each row. An int asks the engine
        for that many exact nearest neighbours, the row itself excluded. An
        object with ``kneighbors`` (e.g. scikit-learn's ``NearestNeighbors``)
        is used as it is; its first neighbour is taken to be the row itself,
        so pass a 4-neighbour estimator to look at 3 neighbours.
    kind_sel : {"all", "mode"}, default="all"
        How the neighbours vote. ``"all"``: a row stays only when all its
        neighbours share its class (the stricter cleaning). ``"mode"``: a row
        stays when its class is the most common among its neighbours.
    n_jobs : int, default=None
        Number of CPU workers of scikit-learn's neighbours estimators on the
        host (``-1`` for all cores, ``None`` for one unless a joblib context
        says otherwise). Device engines ignore it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
    nn_ : estimator object
        The neighbours estimator built from ``n_neighbors``, fitted on X.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
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
    RepeatedEditedNearestNeighbours : Repeat the rule until nothing changes.
    AllKNN : Repeat the rule with growing neighbourhoods.
    NeighbourhoodCleaningRule : The rule plus the neighbours of misclassified minority rows.
    gpuimb.combine.SMOTEENN : SMOTE, then this rule.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    References
    ----------
    .. [1] D. Wilson, "Asymptotic properties of nearest neighbor rules using
       edited data", IEEE Transactions on Systems, Man, and Cybernetics, 2(3),
       pp. 408-421, 1972.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import EditedNearestNeighbours
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 449), (1, 51)]
    >>> X_res, y_res = EditedNearestNeighbours().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 383), (1, 51)]
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_neighbors": neighbors_constraint(),
        "kind_sel": [StrOptions({"all", "mode"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", n_neighbors=3, kind_sel="all",
                 n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _validate_estimator(self, ctx):
        self.nn_ = ctx.neighbors("n_neighbors", self.n_neighbors, 1)
        _set_n_jobs(self.nn_, self.n_jobs)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        if isinstance(self.n_neighbors, numbers.Integral):
            ctx.fit_exposed(self.nn_, X)
            return self._keep_rows(ctx, X, y, self._edit_targeted(X, y, ctx))
        # A user's estimator: its own n_neighbors - 1 columns make the table.
        editor = _Editor(ctx, X, y, self.sampling_strategy_, self.nn_, 0, self.kind_sel)
        k = editor.hoods.table.shape[1]
        alive = editor.edit(xp.ones_like(y, dtype=xp.bool), k)
        return self._keep_rows(ctx, X, y, editor.indices(alive))

    def _edit_targeted(self, X, y, ctx):
        """One edition through the engine, querying the targeted samples only."""
        xp = ctx.xp
        k = self.n_neighbors
        stats = class_counts(y)
        classes = list(stats)
        codes = class_codes(xp, y, classes)
        targeted = xp.zeros_like(y, dtype=xp.bool)
        for code, klass in enumerate(classes):
            if klass in self.sampling_strategy_:
                targeted = targeted | (codes == code)
        rows = flatnonzero(xp, targeted)
        n_samples = y.shape[0]
        alive = xp.ones_like(y, dtype=xp.bool)
        if rows.shape[0]:
            if k + 1 > n_samples:
                first = next(stats[c] for c in classes if c in self.sampling_strategy_)
                raise kneighbors_error(k + 1, n_samples, int(first))
            nbrs = ctx.engine.kneighbors(X, take_rows(X, rows), k=k,
                                         exclude_self=rows, return_distance=False)
            agree = _agree(xp, codes, xp.astype(nbrs, xp.int64),
                           xp.take(codes, rows), self.kind_sel, len(classes))
            removed = xp.take(rows, flatnonzero(xp, ~agree))
            if removed.shape[0]:
                everyone = xp.arange(n_samples, dtype=removed.dtype,
                                     device=ctx.device)
                slot = xp.clip(xp.searchsorted(removed, everyone), 0,
                               removed.shape[0] - 1)
                alive = xp.take(removed, slot) != everyone
        parts = [flatnonzero(xp, alive & (codes == code)) for code in range(len(classes))]
        return xp.astype(xp.concat(parts), xp.int64)


class _RepeatedEditionMixin:
    """What RENN and AllKNN share: the validated estimators and the stopping rule."""

    # AllKNN, like imbalanced-learn's, only reads a classifier's n_neighbors.
    _reads_classifier_k = False

    def _validate_estimator(self, ctx):
        if self._reads_classifier_k and fit_requires_y(self.n_neighbors):
            self.nn_ = clone(self.n_neighbors)
        else:
            self.nn_ = ctx.neighbors("n_neighbors", self.n_neighbors, 1)
        self.enn_ = EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy,
            n_neighbors=self.nn_,
            kind_sel=self.kind_sel,
            n_jobs=self.n_jobs,
        )

    def _editor(self, X, y, ctx, n_columns):
        if isinstance(self.n_neighbors, numbers.Integral) or fit_requires_y(self.nn_):
            return _Editor(ctx, X, y, self.sampling_strategy_, None, n_columns,
                           self.kind_sel)
        user = ctx.adapt(clone_estimator(self.nn_))
        return _Editor(ctx, X, y, self.sampling_strategy_, user, n_columns,
                       self.kind_sel)

    def _retarget(self, editor, y, alive, first_round):
        """Target the classes the strategy names for the current survivors.

        imbalanced-learn re-runs its inner ENN's ``fit_resample`` on the
        survivors, so "auto" and friends are re-evaluated on their counts.
        """
        y_now = y if first_round else editor.xp.take(y, editor.indices(alive))
        editor.target(check_sampling_strategy(self.sampling_strategy, y_now,
                                              "clean-sampling"))

    @staticmethod
    def _stops(editor, sizes, minority, allow_minority=False):
        """imbalanced-learn's criteria: a class became minority, or vanished."""
        n_minority = editor.stats[minority]
        present = [(klass, size) for klass, size in zip(editor.classes, sizes,
                                                         strict=True) if size]
        became_minority = any(size < n_minority for klass, size in present
                              if klass != minority)
        if allow_minority:
            became_minority = False
        return became_minority or len(present) < len(editor.classes)


class RepeatedEditedNearestNeighbours(_RepeatedEditionMixin, BaseCleaningSampler):
    """Under-sample by repeating the edited nearest neighbours rule.

    Applies :class:`EditedNearestNeighbours` to the rows that survived the
    previous round, until a round removes nothing, ``max_iter`` rounds have
    run, a targeted class becomes smaller than the minority class or a class
    disappears. The neighbour table is computed once and sliced for every
    round.

    Read more in imbalanced-learn's user guide on edited nearest neighbours.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Which classes the rule may remove samples from; the rule itself decides
        how many go, so a number of samples cannot be asked for.

        - str: ``"majority"`` (the largest class), ``"not minority"`` (all but
          the smallest), ``"not majority"`` (all but the largest), ``"all"``
          (every class) or ``"auto"``, the same as ``"not minority"``.
        - list: the labels of the classes to clean.
        - callable: ``f(y)`` returning a dict whose keys are the classes to
          clean.
    n_neighbors : int or estimator object, default=3
        Size of the neighbourhood that judges each row. An int asks the engine
        for that many exact nearest neighbours, the row itself excluded. An
        object with ``kneighbors`` (e.g. scikit-learn's ``NearestNeighbors``)
        is used as it is; its first neighbour is taken to be the row itself,
        so pass a 4-neighbour estimator to look at 3 neighbours.
    max_iter : int, default=100
        Largest number of rounds.
    kind_sel : {"all", "mode"}, default="all"
        How the neighbours vote. ``"all"``: a row stays only when all its
        neighbours share its class (the stricter cleaning). ``"mode"``: a row
        stays when its class is the most common among its neighbours.
    n_jobs : int, default=None
        Number of CPU workers of scikit-learn's neighbours estimators on the
        host (``-1`` for all cores, ``None`` for one unless a joblib context
        says otherwise). Device engines ignore it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
    nn_ : estimator object
        The neighbours estimator built from ``n_neighbors``.
    enn_ : EditedNearestNeighbours
        The rule that is repeated (unfitted; gpuimb does not rerun it).
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
    n_iter_ : int
        Number of rounds run.
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
    EditedNearestNeighbours : One round of the rule.
    AllKNN : Rounds with growing neighbourhoods.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    With ``gpuimb.set_config(show_progress=True)`` and tqdm installed, the
    rounds show a progress bar.

    imbalanced-learn composes ``sample_indices_`` a second time when the
    editions converge; when the first edition removes nothing and y is not
    sorted by class its ``X[sample_indices_]`` differs from its output. Here
    ``X[sample_indices_]`` is always the output.

    References
    ----------
    .. [1] I. Tomek, "An experiment with the edited nearest-neighbor rule",
       IEEE Transactions on Systems, Man, and Cybernetics, 6(6), pp. 448-452,
       1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import RepeatedEditedNearestNeighbours
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> renn = RepeatedEditedNearestNeighbours()
    >>> X_res, y_res = renn.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items()), renn.n_iter_
    ([(0, 356), (1, 51)], 5)
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_neighbors": neighbors_constraint(),
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "kind_sel": [StrOptions({"all", "mode"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", n_neighbors=3, max_iter=100,
                 kind_sel="all", n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs
        self.max_iter = max_iter

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        if isinstance(self.n_neighbors, numbers.Integral):
            k = self.n_neighbors
        else:
            k = int(getattr(self.nn_, "n_neighbors", 1)) - 1
        editor = self._editor(X, y, ctx, 2 * k + 8)
        minority = minority_class(y, editor.stats)
        alive = xp.ones_like(y, dtype=xp.bool)
        n_alive = y.shape[0]
        self.n_iter_ = 0
        for _ in progress(range(self.max_iter), type(self).__name__, unit="round"):
            self._retarget(editor, y, alive, self.n_iter_ == 0)
            self.n_iter_ += 1
            alive = editor.edit(alive, k, later_round=self.n_iter_ > 1)
            sizes = editor.class_sizes(alive)
            converged = sum(sizes) == n_alive
            n_alive = sum(sizes)
            if converged or self._stops(editor, sizes, minority):
                break
        return self._keep_rows(ctx, X, y, editor.indices(alive))


class AllKNN(_RepeatedEditionMixin, BaseCleaningSampler):
    """Under-sample by editing with 1, 2, ..., ``n_neighbors`` neighbours in turn.

    Each round applies :class:`EditedNearestNeighbours` to the rows that
    survived the previous one, with one more neighbour than the last round. It
    stops early when a targeted class becomes smaller than the minority class
    (unless ``allow_minority``) or a class disappears. One kNN query with the
    largest neighbourhood serves all rounds.

    Read more in imbalanced-learn's user guide on edited nearest neighbours.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Which classes the rule may remove samples from; the rule itself decides
        how many go, so a number of samples cannot be asked for.

        - str: ``"majority"`` (the largest class), ``"not minority"`` (all but
          the smallest), ``"not majority"`` (all but the largest), ``"all"``
          (every class) or ``"auto"``, the same as ``"not minority"``.
        - list: the labels of the classes to clean.
        - callable: ``f(y)`` returning a dict whose keys are the classes to
          clean.
    n_neighbors : int or estimator object, default=3
        Largest neighbourhood (the last round's). An object with
        ``kneighbors`` is used as it is; its first neighbour is taken to be
        the row itself, so a 4-neighbour estimator gives rounds of 1, 2 and 3.
    kind_sel : {"all", "mode"}, default="all"
        How the neighbours vote. ``"all"``: a row stays only when all its
        neighbours share its class (the stricter cleaning). ``"mode"``: a row
        stays when its class is the most common among its neighbours.
    allow_minority : bool, default=False
        Let a targeted class become smaller than the minority class instead
        of stopping.
    n_jobs : int, default=None
        Number of CPU workers of scikit-learn's neighbours estimators on the
        host (``-1`` for all cores, ``None`` for one unless a joblib context
        says otherwise). Device engines ignore it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
    nn_ : estimator object
        The neighbours estimator built from ``n_neighbors``.
    enn_ : EditedNearestNeighbours
        The edition rule (its ``n_neighbors`` is the last round's).
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
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
    EditedNearestNeighbours : One round of the rule.
    RepeatedEditedNearestNeighbours : Rounds with a fixed neighbourhood.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    With ``gpuimb.set_config(show_progress=True)`` and tqdm installed, the
    rounds show a progress bar.

    References
    ----------
    .. [1] I. Tomek, "An experiment with the edited nearest-neighbor rule",
       IEEE Transactions on Systems, Man, and Cybernetics, 6(6), pp. 448-452,
       1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import AllKNN
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> X_res, y_res = AllKNN().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 366), (1, 51)]
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_neighbors": neighbors_constraint(),
        "kind_sel": [StrOptions({"all", "mode"})],
        "allow_minority": ["boolean"],
        "n_jobs": [numbers.Integral, None],
    }
    _reads_classifier_k = True

    def __init__(self, *, sampling_strategy="auto", n_neighbors=3, kind_sel="all",
                 allow_minority=False, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.n_jobs = n_jobs

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        k_max = int(getattr(self.nn_, "n_neighbors", 1)) - 1
        if k_max < 1:
            # A classifier with n_neighbors=1: no round; the data comes back as is.
            self.sample_indices_ = xp.arange(X.shape[0], dtype=xp.int64, device=ctx.device)
            return X, y
        editor = self._editor(X, y, ctx, k_max + max(k_max, 8))
        minority = minority_class(y, editor.stats)
        alive = xp.ones_like(y, dtype=xp.bool)
        for k in progress(range(1, k_max + 1), type(self).__name__, unit="round"):
            self.enn_.n_neighbors = k
            self._retarget(editor, y, alive, k == 1)
            alive = editor.edit(alive, k, later_round=k > 1)
            if self._stops(editor, editor.class_sizes(alive), minority,
                           self.allow_minority):
                break
        return self._keep_rows(ctx, X, y, editor.indices(alive))
