"""ClusterCentroids: replace each targeted class by the centroids of its clusters."""

from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, StrOptions

from gpuimb._backends._kmeans import small_clustering_threads
from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows, vstack
from gpuimb.utils._progress import progress
from gpuimb.utils._validation import class_counts

# The default KMeans starts with scikit-learn's default n_clusters; it is reset
# to the wanted number of samples before every fit, as imbalanced-learn does.
_DEFAULT_N_CLUSTERS = 8


class ClusterCentroids(BaseUnderSampler):
    """Under-sample by replacing each targeted class with the centroids of its clusters.

    Each targeted class is clustered into as many clusters as rows are wanted
    (k-means by default, run by the engine). With ``voting="soft"`` the
    centroids become the class's rows (new rows, not taken from X); with
    ``voting="hard"`` the class row nearest to each centroid is kept instead.
    The other classes are kept whole.

    Read more in imbalanced-learn's user guide on prototype generation.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class keeps once under-sampled.

        - float: the wanted ratio ``n_minority / n_majority_after`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          under-sampler cannot add samples).
        - str: which classes shrink to the size of the minority class:
          ``"majority"`` (the largest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not minority"``.
        - dict: ``{class label: number of samples to keep}``; classes left out
          are kept whole, and a number above a class's size is an error.
        - callable: ``f(y)`` returning such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the default k-means (its initialisation), so that a seed gives
        the same centroids on every call.
    estimator : estimator object, default=None
        A clustering estimator with an ``n_clusters`` parameter and a
        ``cluster_centers_`` attribute once fitted (scikit-learn's or cuML's
        ``KMeans``, ``MiniBatchKMeans``...). ``None`` uses the engine's k-means.
    voting : {"hard", "soft", "auto"}, default="auto"
        ``"soft"`` keeps the centroids; ``"hard"`` keeps the class rows nearest
        to them. ``"auto"`` is ``"hard"`` for sparse X (a centroid of sparse
        rows is dense) and ``"soft"`` otherwise.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to keep in each targeted class.
    estimator_ : estimator object
        The clustering estimator, fitted on the last targeted class.
    voting_ : str
        The voting used.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the clustering (and the nearest-row search of hard voting).

    See Also
    --------
    RandomUnderSampler : Keep rows at random.
    NearMiss : Keep rows by their distances to the minority class.
    gpuimb.over_sampling.KMeansSMOTE : Over-sample inside k-means clusters.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    Soft voting creates rows that are no row of X, so there is no
    ``sample_indices_``; plots match them by value.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import ClusterCentroids
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=10)
    >>> cc = ClusterCentroids(random_state=0)
    >>> X_res, y_res = cc.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 51), (1, 51)]
    >>> cc.voting_
    'soft'
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict"]), None],
        "voting": [StrOptions({"auto", "hard", "soft"})],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, estimator=None,
                 voting="auto"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting

    def _validate_estimator(self, ctx):
        if self.estimator is None:
            self.estimator_ = ctx.engine.kmeans_estimator(
                _DEFAULT_N_CLUSTERS, random_state=self.random_state)
            return self.estimator_
        self.estimator_ = clone(self.estimator)
        if "n_clusters" not in self.estimator_.get_params():
            raise ValueError(
                "`estimator` should be a clustering estimator exposing a parameter"
                " `n_clusters` and a fitted parameter `cluster_centers_`."
            )
        return ctx.adapt(self.estimator_)

    def _centroids(self, ctx, estimator, X_class, n_clusters):
        self.estimator_.set_params(n_clusters=n_clusters)
        if estimator is not self.estimator_:
            estimator.set_params(n_clusters=n_clusters)
        with small_clustering_threads(ctx.on_host, X_class.shape, n_clusters):
            estimator.fit(X_class)
        centers = getattr(estimator, "cluster_centers_", None)
        if centers is None:
            centers = getattr(self.estimator_, "cluster_centers_", None)
        if centers is None:
            raise RuntimeError(
                "`estimator` should be a clustering estimator exposing a "
                "fitted parameter `cluster_centers_`."
            )
        return ctx.asarray(centers)

    def _generate_samples(self, ctx, X_class, centroids):
        if self.voting_ == "hard":
            # Centroids are dense; the device engines want both sides alike.
            query = centroids
            if ctx.sparse and not ctx.on_host:
                query = _sparse_rows(ctx, centroids)
            nearest = ctx.engine.kneighbors(X_class, query, k=1, return_distance=False)
            return take_rows(X_class, ctx.xp.reshape(nearest, (-1,)))
        if ctx.sparse:
            return _sparse_rows(ctx, centroids, dtype=X_class.dtype)
        return centroids

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        estimator = self._validate_estimator(ctx)
        if self.voting == "auto":
            self.voting_ = "hard" if ctx.sparse else "soft"
        else:
            self.voting_ = self.voting

        X_blocks, y_blocks = [], []
        for klass in progress(class_counts(y), type(self).__name__, unit="class"):
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            X_class = take_rows(X, class_indices)
            y_class = xp.take(y, class_indices)
            if klass in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[klass]
                centroids = self._centroids(ctx, estimator, X_class, n_samples)
                X_class = self._generate_samples(ctx, X_class, centroids)
                y_class = xp.take(y_class, xp.zeros(centroids.shape[0], dtype=xp.int64,
                                                    device=ctx.device))
            X_blocks.append(X_class)
            y_blocks.append(y_class)

        if not ctx.sparse:
            dtype = X_blocks[0].dtype
            for block in X_blocks[1:]:
                dtype = xp.result_type(dtype, block.dtype)
            X_blocks = [xp.astype(block, dtype) for block in X_blocks]
        return vstack(X_blocks, like=X), xp.concat(y_blocks)



def _sparse_rows(ctx, dense, dtype=None):
    """A SciPy CSR matrix holding the rows of ``dense`` (sparse X is on the host)."""
    import scipy.sparse as sp

    return sp.csr_matrix(dense, dtype=dtype)
