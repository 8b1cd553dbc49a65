"""A built-in imbalanced dataset for demos, generated offline and deterministically."""


def make_demo_dataset(n_samples=3000, n_features=10, random_state=0):
    """Return a three-class imbalanced classification problem.

    Parameters
    ----------
    n_samples : int, default=3000
        Number of rows.
    n_features : int, default=10
        Number of features (6 informative).
    random_state : int, default=0
        Seed; the same seed always gives the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Features, float64.
    y : ndarray of shape (n_samples,)
        Labels 0, 1, 2 in proportions of about 80%, 15% and 5%.
    """
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=6,
        n_redundant=2, n_classes=3, n_clusters_per_class=1,
        weights=[0.80, 0.15, 0.05], class_sep=1.2, flip_y=0,
        random_state=random_state,
    )
