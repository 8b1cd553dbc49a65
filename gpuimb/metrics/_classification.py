"""Classification metrics for imbalanced problems: sensitivity, specificity,
geometric mean, index balanced accuracy, the imbalanced classification report and
the macro-averaged mean absolute error.

Every metric needs only per-label sums (true positives, predictions, truths), so
the targets are counted where they live (NumPy, CuPy, any array-API namespace) and
only those short tables reach the host. Results equal imbalanced-learn 0.14.2's.
Host input gives imbalanced-learn's return types (NumPy arrays and scalars);
device input gives per-label arrays on the input's device and Python floats.
"""

import functools
import numbers
import warnings
from inspect import signature

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from gpuimb._io import to_numpy
from gpuimb.metrics._targets import _bincount, check_targets, encode, label_sums
from gpuimb.utils._array_api import to_host

_AVERAGES = {"binary", "micro", "macro", "weighted", "samples"}


def _prf_divide(*args, **kwargs):
    # scikit-learn's zero-division rule and warning text (imported on first use)
    from sklearn.metrics._classification import _prf_divide as divide

    return divide(*args, **kwargs)


def _all_labels(labels, present):
    """``labels`` followed by the present labels it misses; its length (or None)."""
    if labels is None:
        return present, None
    labels = to_numpy(labels)
    return np.hstack([labels, np.setdiff1d(present, labels, assume_unique=True)]), \
        len(labels)


def _selected_sums(t, labels):
    """(tp, pred, true) per label of ``labels`` in the order asked."""
    labels, n_labels = _all_labels(labels, t.present)
    encoded = np.unique(labels)
    tp_sum, pred_sum, true_sum = label_sums(t, encoded)
    keep = np.searchsorted(encoded, labels[:n_labels])
    return tp_sum[keep], pred_sum[keep], true_sum[keep]


def _tn_sum(t, tp_sum, pred_sum, true_sum):
    """True negatives per label: the rows neither predicted as nor truly the label."""
    return int(t.y_true.shape[0]) - (pred_sum + true_sum - tp_sum)


def _divide_sensitivity_specificity(tp_sum, pred_sum, true_sum, tn_sum, average,
                                    warn_for):
    """``(tp / true, tn / (tn + fp))`` with scikit-learn's zero-division warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        specificity = _prf_divide(tn_sum, tn_sum + pred_sum - tp_sum, "specificity",
                                  "predicted", average, warn_for)
        sensitivity = _prf_divide(tp_sum, true_sum, "sensitivity", "true", average,
                                  warn_for)
    return sensitivity, specificity


def _sensitivity_specificity(t, labels, pos_label, average, warn_for):
    """The host computation behind :func:`sensitivity_specificity_support`."""
    if average == "binary":
        if t.y_type == "binary":
            if pos_label not in t.present:
                if len(t.present) < 2:
                    # only negative labels
                    return 0.0, 0.0, 0
                raise ValueError(
                    f"pos_label={pos_label!r} is not a valid label: {t.present!r}"
                )
            labels = [pos_label]
        else:
            raise ValueError(
                f"Target is {t.y_type} but average='binary'. Please "
                "choose another average setting."
            )
    elif pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when "
            f"average != 'binary' (got {average!r}). You may use "
            "labels=[pos_label] to specify a single positive class.",
            UserWarning,
        )
    if t.y_type.startswith("multilabel"):
        raise ValueError("imblearn does not support multilabel")
    if average == "samples":
        raise ValueError(
            "Sample-based precision, recall, fscore is not meaningful outside "
            "multilabel classification. See the accuracy_score instead."
        )
    tp_sum, pred_sum, true_sum = _selected_sums(t, labels)
    tn_sum = _tn_sum(t, tp_sum, pred_sum, true_sum)
    if average == "micro":
        tp_sum, pred_sum, true_sum, tn_sum = (np.array([s.sum()]) for s in
                                              (tp_sum, pred_sum, true_sum, tn_sum))
    sensitivity, specificity = _divide_sensitivity_specificity(
        tp_sum, pred_sum, true_sum, tn_sum, average, warn_for)
    weights = None
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            return 0, 0, None
    if average is not None:
        return (np.average(sensitivity, weights=weights),
                np.average(specificity, weights=weights), None)
    return sensitivity, specificity, true_sum


def _returned(t, values):
    """Host results in the input's kind (arrays on its device, floats)."""
    return tuple(t.to_input_kind(v) if isinstance(v, np.ndarray) else t.scalar(v)
                 for v in values)


_LABEL_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "labels": ["array-like", None],
    "pos_label": [str, numbers.Integral, None],
    "average": [None, StrOptions(_AVERAGES)],
    "sample_weight": ["array-like", None],
}


@validate_params({**_LABEL_PARAMS, "warn_for": ["array-like"]},
                 prefer_skip_nested_validation=True)
def sensitivity_specificity_support(y_true, y_pred, *, labels=None, pos_label=1,
                                    average=None, warn_for=("sensitivity", "specificity"),
                                    sample_weight=None):
    """Sensitivity, specificity and support of each class.

    Sensitivity is ``tp / (tp + fn)``, the share of a class's samples that are
    recognised; specificity is ``tn / (tn + fp)``, the share of the other samples
    that are not mistaken for the class; support is the number (or total weight,
    with ``sample_weight``) of the class's samples in ``y_true``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels. NumPy, lists, pandas, or an array of any array-API namespace
        (CuPy, ...): device arrays are counted on their device.
    y_pred : array-like of shape (n_samples,)
        Predicted labels, same kind as ``y_true``.
    labels : array-like, default=None
        Labels to report when ``average != 'binary'``, in this order when
        ``average is None``; labels absent from the data score 0. By default the
        sorted labels of ``y_true`` and ``y_pred``.
    pos_label : str, int or None, default=1
        The class reported with ``average='binary'`` on binary data; ignored (with
        a warning) for other averages, where ``labels=[pos_label]`` does the same.
    average : {'binary', 'micro', 'macro', 'weighted', 'samples'} or None, \
            default=None
        None returns per-class scores. ``'binary'``: the ``pos_label`` class only;
        ``'micro'``: from the counts summed over classes; ``'macro'``: unweighted
        mean over classes; ``'weighted'``: mean weighted by support;
        ``'samples'``: only meaningful for multilabel targets, an error here.
    warn_for : tuple or set, for internal use
        Which of "sensitivity" and "specificity" warn when ill-defined.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    sensitivity : float or array of shape (n_labels,)
    specificity : float or array of shape (n_labels,)
    support : array of shape (n_labels,) or None
        None when ``average`` is not None.

    Examples
    --------
    >>> import numpy as np
    >>> from gpuimb.metrics import sensitivity_specificity_support
    >>> y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig"])
    >>> y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog"])
    >>> sen, spe, _ = sensitivity_specificity_support(y_true, y_pred, average="macro")
    >>> round(float(sen), 3), round(float(spe), 3)
    (0.333, 0.667)
    """
    average_options = (None, "micro", "macro", "weighted", "samples")
    if average not in average_options and average != "binary":
        raise ValueError("average has to be one of " + str(average_options))
    t = check_targets(y_true, y_pred, sample_weight)
    return _returned(t, _sensitivity_specificity(t, labels, pos_label, average,
                                                 warn_for))


@validate_params(_LABEL_PARAMS, prefer_skip_nested_validation=True)
def sensitivity_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                      sample_weight=None):
    """Sensitivity ``tp / (tp + fn)``: how much of a class is recognised.

    Best 1, worst 0. Parameters as in :func:`sensitivity_specificity_support`,
    except that ``average`` defaults to ``'binary'``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (host or device array).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like, default=None
        Labels to include when ``average != 'binary'`` (and their order).
    pos_label : str, int or None, default=1
        The class reported with ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted', 'samples'} or None, \
            default='binary'
        How per-class scores are combined; None returns them all.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    sensitivity : float or array of shape (n_labels,)

    Examples
    --------
    >>> from gpuimb.metrics import sensitivity_score
    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> sensitivity_score(y_true, y_pred, average=None)
    array([1., 0., 0.])
    """
    return sensitivity_specificity_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("sensitivity",), sample_weight=sample_weight)[0]


@validate_params(_LABEL_PARAMS, prefer_skip_nested_validation=True)
def specificity_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                      sample_weight=None):
    """Specificity ``tn / (tn + fp)``: how rarely other samples are taken for a class.

    Best 1, worst 0. Parameters as in :func:`sensitivity_specificity_support`,
    except that ``average`` defaults to ``'binary'``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (host or device array).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like, default=None
        Labels to include when ``average != 'binary'`` (and their order).
    pos_label : str, int or None, default=1
        The class reported with ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted', 'samples'} or None, \
            default='binary'
        How per-class scores are combined; None returns them all.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    specificity : float or array of shape (n_labels,)

    Examples
    --------
    >>> from gpuimb.metrics import specificity_score
    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> specificity_score(y_true, y_pred, average=None)
    array([0.75, 0.5 , 0.75])
    """
    return sensitivity_specificity_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("specificity",), sample_weight=sample_weight)[1]


@validate_params(
    {**_LABEL_PARAMS,
     "average": [None, StrOptions(_AVERAGES | {"multiclass"})],
     "correction": [Interval(numbers.Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def geometric_mean_score(y_true, y_pred, *, labels=None, pos_label=1,
                         average="multiclass", sample_weight=None, correction=0.0):
    """Geometric mean of the per-class sensitivities (G-mean).

    With ``average='multiclass'`` (the default) this is the ``n_classes``-th root
    of the product of every class's sensitivity, so one unrecognised class gives
    0 unless ``correction`` replaces its zero sensitivity. Any other ``average``
    gives, per class, ``sqrt(sensitivity * specificity)`` (one-vs-rest), averaged
    as in :func:`sensitivity_specificity_support`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (host or device array).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like, default=None
        Labels to include (and their order for ``average=None``).
    pos_label : str, int or None, default=1
        The class reported with ``average='binary'``.
    average : {'multiclass', 'binary', 'micro', 'macro', 'weighted', 'samples'} \
            or None, default='multiclass'
        See above.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    correction : float, default=0.0
        Value used instead of a zero sensitivity (``average='multiclass'`` only).

    Returns
    -------
    geometric_mean : float or array of shape (n_labels,)

    Examples
    --------
    >>> from gpuimb.metrics import geometric_mean_score
    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> float(geometric_mean_score(y_true, y_pred))
    0.0
    >>> round(float(geometric_mean_score(y_true, y_pred, correction=0.001)), 4)
    0.01
    """
    if average is None or average != "multiclass":
        t = check_targets(y_true, y_pred, sample_weight)
        sen, spe, _ = _sensitivity_specificity(t, labels, pos_label, average,
                                               ("specificity", "specificity"))
        return _returned(t, (np.sqrt(sen * spe),))[0]
    from scipy.stats import gmean

    t = check_targets(y_true, y_pred, sample_weight, labels_only=True)
    tp_sum, _, true_sum = _selected_sums(t, labels)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = _prf_divide(tp_sum, true_sum, "recall", "true", None, "recall")
    recall[recall == 0] = correction
    with np.errstate(divide="ignore", invalid="ignore"):
        score = gmean(recall)
    if isinstance(score, np.ma.core.MaskedConstant):  # old SciPy
        score = 0.0
    return t.scalar(score)


@validate_params({"alpha": [numbers.Real], "squared": ["boolean"]},
                 prefer_skip_nested_validation=True)
def make_index_balanced_accuracy(*, alpha=0.1, squared=True):
    """Turn a scoring function into its index balanced accuracy (IBA).

    The decorated function returns ``(1 + alpha * (sensitivity - specificity)) *
    score`` (``score`` squared first when ``squared``), which favours classifiers
    whose good score does not come from the majority class alone. Only metrics of
    ``y_pred`` can be decorated (not of ``y_score``/``y_prob``).

    Parameters
    ----------
    alpha : float, default=0.1
        Weight of the dominance ``sensitivity - specificity``.
    squared : bool, default=True
        Square the score before weighting it.

    Returns
    -------
    iba_scoring_func : callable
        A decorator for scoring functions.

    Examples
    --------
    >>> from gpuimb.metrics import geometric_mean_score as gmean
    >>> from gpuimb.metrics import make_index_balanced_accuracy as iba
    >>> gmean = iba(alpha=0.1, squared=True)(gmean)
    >>> y_true = [1, 0, 0, 1, 0, 1]
    >>> y_pred = [0, 0, 1, 1, 0, 1]
    >>> print(gmean(y_true, y_pred, average=None))
    [0.44444444 0.44444444]
    """

    def decorate(scoring_func):
        @functools.wraps(scoring_func)
        def compute_score(*args, **kwargs):
            params = signature(scoring_func)
            if {"y_score", "y_prob", "y2"} & set(params.parameters):
                raise AttributeError(
                    f"The function {scoring_func.__name__} has an unsupported"
                    " attribute. Metric with`y_pred` are the"
                    " only supported metrics is the only"
                    " supported."
                )
            bound = params.bind(*args, **kwargs)
            bound.apply_defaults()
            score = scoring_func(*bound.args, **bound.kwargs)
            if squared:
                score = score ** 2
            shared = set(signature(sensitivity_specificity_support).parameters)
            sens_spec_args = {k: v for k, v in bound.arguments.items() if k in shared}
            if scoring_func.__name__ == "geometric_mean_score":
                if sens_spec_args.get("average") == "multiclass":
                    sens_spec_args["average"] = "macro"
            elif scoring_func.__name__ in ("accuracy_score", "jaccard_score"):
                # no multilabel support, so only the binary average applies
                sens_spec_args["average"] = "binary"
            sensitivity, specificity, _ = sensitivity_specificity_support(
                **sens_spec_args)
            return (1.0 + alpha * (sensitivity - specificity)) * score

        return compute_score

    return decorate


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "target_names": ["array-like", None],
        "sample_weight": ["array-like", None],
        "digits": [Interval(numbers.Integral, 0, None, closed="left")],
        "alpha": [numbers.Real],
        "output_dict": ["boolean"],
        "zero_division": [StrOptions({"warn"}),
                          Interval(numbers.Integral, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def classification_report_imbalanced(y_true, y_pred, *, labels=None, target_names=None,
                                     sample_weight=None, digits=2, alpha=0.1,
                                     output_dict=False, zero_division="warn"):
    """Text (or dict) report of the metrics suited to imbalanced classification.

    One row per label with precision (``pre``), recall (``rec``), specificity
    (``spe``), F1 (``f1``), geometric mean (``geo``), index balanced accuracy of
    the geometric mean (``iba``) and support (``sup``), then their averages
    weighted by support. All columns come from one count of the targets on their
    device.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (host or device array).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Labels to report; by default the sorted labels of both targets.
    target_names : list of str of shape (n_labels,), default=None
        Display names of the labels, same order.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    digits : int, default=2
        Digits of the floats in the text report (the dict is not rounded).
    alpha : float, default=0.1
        Weight of the dominance in the index balanced accuracy.
    output_dict : bool, default=False
        Return a dict ``{name: {"pre": ..., ...}, "avg_pre": ..., ...,
        "total_support": ...}`` instead of text.
    zero_division : "warn", 0 or 1, default="warn"
        Precision, recall and F1 of a zero division; "warn" gives 0 and warns.

    Returns
    -------
    report : str or dict

    Examples
    --------
    >>> from gpuimb.metrics import classification_report_imbalanced
    >>> y_true = [0, 1, 2, 2, 2]
    >>> y_pred = [0, 0, 2, 2, 1]
    >>> report = classification_report_imbalanced(y_true, y_pred, output_dict=True)
    >>> round(float(report["avg_geo"]), 2)
    0.66
    """
    t = check_targets(y_true, y_pred, sample_weight)
    labels = t.present if labels is None else to_numpy(labels)
    if t.y_type.startswith("multilabel"):
        raise ValueError("imblearn does not support multilabel")

    last_line_heading = "avg / total"
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    width = max(max(len(name) for name in target_names), len(last_line_heading), digits)
    headers = ["pre", "rec", "spe", "f1", "geo", "iba", "sup"]
    fmt = f"%{width}s  " + " ".join(["% 9s"] * len(headers)) + "\n"
    report = fmt % tuple([""] + headers) + "\n"

    tp_sum, pred_sum, true_sum = _selected_sums(t, labels)
    prf_warn = ("precision", "recall", "f-score")
    precision = _prf_divide(tp_sum, pred_sum, "precision", "predicted", None, prf_warn,
                            zero_division)
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", None, prf_warn,
                         zero_division)
    f1 = _prf_divide(2.0 * tp_sum.astype(np.float64),
                     true_sum.astype(np.float64) + pred_sum.astype(np.float64),
                     "f-score", "true nor predicted", None, prf_warn, zero_division)
    sensitivity, specificity = _divide_sensitivity_specificity(
        tp_sum, pred_sum, true_sum, _tn_sum(t, tp_sum, pred_sum, true_sum), None,
        ("sensitivity", "specificity"))
    geo_mean = np.sqrt(sensitivity * specificity)
    iba = (1.0 + alpha * (sensitivity - specificity)) * geo_mean ** 2
    support = true_sum

    report_dict = {}
    columns = [precision, recall, specificity, f1, geo_mean, iba]
    for i, _label in enumerate(labels):
        row = {name: column[i] for name, column in zip(headers[:-1], columns, strict=True)}
        row["sup"] = support[i]
        report += fmt % tuple([target_names[i]]
                              + [f"{row[name]:0.{digits}f}" for name in headers[:-1]]
                              + [f"{support[i]}"])
        report_dict[target_names[i]] = row
    report += "\n"
    values = [last_line_heading]
    for name, column in zip(headers[:-1], columns, strict=True):
        average = np.average(column, weights=support)
        values.append(f"{average:0.{digits}f}")
        report_dict[f"avg_{name}"] = average
    values.append(f"{np.sum(support)}")
    report += fmt % tuple(values)
    report_dict["total_support"] = np.sum(support)
    return report_dict if output_dict else report


@validate_params(
    {"y_true": ["array-like"], "y_pred": ["array-like"],
     "sample_weight": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def macro_averaged_mean_absolute_error(y_true, y_pred, *, sample_weight=None):
    """Mean absolute error computed per true class, then averaged over classes.

    For ordinal classification on imbalanced data: every class counts the same,
    however many samples it has.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True (ordinal, numeric) labels, host or device array.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float
        Non-negative; 0 is best.

    Examples
    --------
    >>> from gpuimb.metrics import macro_averaged_mean_absolute_error
    >>> float(macro_averaged_mean_absolute_error([1, 1, 2, 2], [1, 2, 1, 2]))
    0.5
    >>> round(float(macro_averaged_mean_absolute_error([1, 2, 2, 2], [1, 2, 1, 2])), 4)
    0.1667
    """
    t = check_targets(y_true, y_pred, sample_weight)
    xp = np if t.on_host else t.xp
    y_true_, y_pred_ = t.y_true, t.y_pred
    if t.on_host:
        y_true_, y_pred_ = np.asarray(y_true_), np.asarray(y_pred_)
        if t.sample_weight is not None:
            from sklearn.utils import column_or_1d

            t.sample_weight = column_or_1d(t.sample_weight)
    error = xp.abs(xp.astype(y_true_, xp.float64) - xp.astype(y_pred_, xp.float64))
    w = t.sample_weight
    if w is None:
        w = xp.ones(error.shape, dtype=xp.float64) if t.on_host else \
            xp.ones(error.shape, dtype=xp.float64, device=t.device)
    idx_true, _ = encode(t, t.present)
    n = len(t.present)
    weighted_error = to_host(_bincount(xp, idx_true, w * error, n))
    weight = to_host(_bincount(xp, idx_true, w, n))
    counts = to_host(_bincount(xp, idx_true, None, n))
    maes = []
    for k in range(n):
        if counts[k] == 0:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is "
                "required."
            )
        if weight[k] == 0:
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        maes.append(weighted_error[k] / weight[k])
    return t.scalar(np.sum(maes) / len(maes))
