"""Pipeline whose intermediate steps may be samplers.

Design decision (hard to reverse, so written down): gpuimb's ``Pipeline`` is a
subclass of scikit-learn's, not a copy of imbalanced-learn's. It changes what
differs for samplers: step validation, the fitting methods (samplers resample X
*and* y, and act only while fitting), iteration at predict/transform time
(samplers are skipped) and metadata routing. The inference methods are
redefined only to warn, as imbalanced-learn 0.14 does, instead of raising when
the pipeline was never fitted; indexing, parameters, feature names, HTML repr and
``set_output`` are scikit-learn's own. Fit parameters use the ``step__param``
convention or, with ``sklearn.set_config(enable_metadata_routing=True)``,
scikit-learn's metadata routing, where samplers consume metadata through
``fit_resample``. Either way, metadata with one entry per training row follows the
rows through the samplers (``SamplerMixin.resample_metadata``).
"""

import warnings
from collections import Counter
from dataclasses import fields

from sklearn import pipeline as sk_pipeline
from sklearn.base import _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import Bunch
from sklearn.utils._param_validation import HasMethods, validate_params
from sklearn.utils._tags import InputTags
from sklearn.utils._user_interface import _print_elapsed_time
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_memory

from gpuimb.base import SamplerInputTags, _take_per_row
from gpuimb.utils._array_api import device_of, get_namespace, to_namespace

__all__ = ["Pipeline", "make_pipeline"]


def _is_sampler(step):
    return hasattr(step, "fit_resample")


def _is_passthrough(step):
    return step is None or (isinstance(step, str) and step == "passthrough")


# The methods of the pipeline that fit its steps.
_FITTING_CALLERS = ("fit", "fit_transform", "fit_predict", "fit_resample")
# The inference methods, which run the transformers' ``transform`` only.
_INFERENCE_CALLERS = ("predict", "predict_proba", "predict_log_proba",
                      "decision_function", "score", "transform")
# What a step's metadata is keyed by without routing (any method may look).
_STEP_METHODS = _FITTING_CALLERS + _INFERENCE_CALLERS + ("inverse_transform",)

_NOT_FITTED_WARNING = (
    "This Pipeline instance is not fitted yet. Call 'fit' with appropriate "
    "arguments before using other methods such as transform, predict, etc. This "
    "will raise an error in a future version instead of the current warning."
)


def _fit_step(step, X, y, params, message):
    """Fit one intermediate step, printing its time; return ``(X, y, fitted_step)``.

    ``params`` maps the step's methods to their metadata. Module-level so that
    ``memory`` can cache it.
    """
    with _print_elapsed_time("Pipeline", message):
        if hasattr(step, "transform") or hasattr(step, "fit_transform"):
            if hasattr(step, "fit_transform"):
                Xt = step.fit_transform(X, y, **params.get("fit_transform", {}))
            else:
                Xt = step.fit(X, y, **params.get("fit", {})).transform(
                    X, **params.get("transform", {}))
            return Xt, y, step
        X, y = step.fit_resample(X, y, **params.get("fit_resample", {}))
        return X, y, step


class _RowTracker:
    """Where the current training rows came from, to resample metadata with them.

    Metadata given to a fitting method that has one entry per input row
    (``sample_weight``, ``groups``...) reaches each step for the rows that step
    sees: after a sampler, row ``i`` takes the value of the input row it came
    from (a synthetic row, its base row's; see
    :meth:`gpuimb.base.SamplerMixin.resample_metadata`). Metadata named in
    ``transform_input`` is left alone.
    """

    def __init__(self, X, transform_input):
        try:
            self.n_rows = _num_samples(X)
        except TypeError:  # X is not data (some transformers take anything)
            self.n_rows = None
        self.skip = set(transform_input or ())
        self.origin = None  # input row behind each current row; None: unchanged
        self.lost_at = None  # name of a sampler that did not say where rows came from

    def resampled_by(self, sampler, name):
        if self.lost_at is not None:
            return
        origin = (sampler._row_origin() if hasattr(sampler, "_row_origin")
                  else getattr(sampler, "sample_indices_", None))
        if origin is None:
            self.lost_at = name
        elif self.origin is None:
            self.origin = origin
        else:
            xp = get_namespace(origin)
            self.origin = xp.take(to_namespace(self.origin, xp, device_of(origin)), origin)

    def _is_per_row(self, value):
        if (self.n_rows is None or isinstance(value, (str, bytes, dict))
                or not hasattr(value, "__len__")):
            return False
        try:
            return _num_samples(value) == self.n_rows
        except TypeError:
            return False

    def follow(self, params, step_name):
        """``params`` ({method: {name: value}}) with per-row values resampled."""
        if self.origin is None and self.lost_at is None:
            return params
        out = Bunch()
        for method, values in params.items():
            out[method] = Bunch()
            for key, value in values.items():
                if key in self.skip or not self._is_per_row(value):
                    out[method][key] = value
                elif self.lost_at is not None:
                    raise ValueError(
                        f"Step {step_name!r} is given the per-row metadata {key!r}, but "
                        f"sampler {self.lost_at!r} before it does not record where "
                        "its output rows come from, so the metadata cannot follow the "
                        "rows. Give it to the steps before that sampler only."
                    )
                else:
                    out[method][key] = _take_per_row(value, self.origin)
        return out


def _last_step_has(method):
    """``available_if`` check: the last step (when not passthrough) has ``method``."""
    return sk_pipeline._final_estimator_has(method)


class Pipeline(sk_pipeline.Pipeline):
    """A chain of transformers and samplers ending with any estimator.

    Samplers (objects with ``fit_resample``) resample X and y while the pipeline
    is fitted and are skipped by ``predict``, ``transform``, ``score`` and the
    other inference methods, so predictions are made for every row given.
    Transformers see the resampled data at fit time, as does the final
    estimator.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        The steps in order: transformers (``fit`` and ``transform``) or samplers
        (``fit_resample``), then a final estimator. Any step may be
        ``"passthrough"`` or ``None`` to skip it. A step may not be both a
        transformer and a sampler, and an intermediate step may not itself be a
        pipeline.
    transform_input : list of str, default=None
        Names of metadata that must be transformed by the steps before the one
        that receives them (for example a validation set ``X_val`` passed to the
        final estimator's ``fit``). Needs scikit-learn's metadata routing enabled;
        samplers do not resample such metadata.
    memory : str or object with the joblib.Memory interface, default=None
        Cache for the fitted intermediate steps: a directory path or a
        ``joblib.Memory``. With a cache, steps are cloned before fitting, so
        read fitted steps through ``named_steps``.
    verbose : bool, default=False
        Print the time each step takes to fit.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        The steps by name.
    classes_ : ndarray of shape (n_classes,)
        The class labels, when the last step is a classifier.
    n_features_in_ : int
        Number of features seen by the first step during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen by the first step during ``fit``, when the
        input had string column names.

    See Also
    --------
    make_pipeline : Build a pipeline naming the steps automatically.

    Notes
    -----
    Without metadata routing, ``fit`` parameters are given as
    ``stepname__parameter`` and reach the fitting method of that step
    (``fit_resample`` for a sampler). With or without routing, metadata with one
    entry per training row (``sample_weight``, ``groups``...) reaches each step
    for the rows that step sees: after a sampler, each row carries the value of
    the row it came from (a synthetic row, its base row's), see
    :meth:`gpuimb.base.SamplerMixin.resample_metadata`. imbalanced-learn passes
    such metadata unchanged, with the wrong length after a sampler.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from gpuimb.pipeline import Pipeline
    >>> from gpuimb.under_sampling import RandomUnderSampler
    >>> X, y = make_classification(n_samples=500, weights=[0.9, 0.1], random_state=0)
    >>> pipe = Pipeline([("scale", StandardScaler()),
    ...                  ("under", RandomUnderSampler(random_state=0)),
    ...                  ("model", LogisticRegression())])
    >>> pipe.fit(X, y).predict(X).shape
    (500,)
    """

    def _validate_steps(self):
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
        names, estimators = zip(*self.steps, strict=True)
        self._validate_names(names)
        self._check_estimators_are_instances(estimators)
        for step in estimators[:-1]:
            if _is_passthrough(step):
                continue
            is_transformer = hasattr(step, "fit") and hasattr(step, "transform")
            if not (is_transformer or _is_sampler(step)):
                raise TypeError(
                    "All intermediate steps of the chain should be estimators that "
                    "implement fit and transform or fit_resample (but not both) or be "
                    f"a string 'passthrough' '{step}' (type {type(step)}) doesn't)"
                )
            if is_transformer and _is_sampler(step):
                raise TypeError(
                    "All intermediate steps of the chain should be estimators that "
                    "implement fit and transform or fit_resample. "
                    f"'{step}' implements both)"
                )
            if isinstance(step, sk_pipeline.Pipeline):
                raise TypeError(
                    "All intermediate steps of the chain should not be Pipelines")
        final = estimators[-1]
        if not _is_passthrough(final) and not hasattr(final, "fit"):
            raise TypeError(
                "Last step of Pipeline should implement fit or be the string "
                f"'passthrough'. '{final}' (type {type(final)}) doesn't"
            )

    def _iter(self, with_final=True, filter_passthrough=True, filter_resample=True):
        for idx, name, step in super()._iter(with_final=with_final,
                                             filter_passthrough=filter_passthrough):
            if filter_resample and _is_sampler(step):
                continue
            yield idx, name, step

    # --- metadata -----------------------------------------------------------

    def _check_method_params(self, method, props, **kwargs):
        """``{step name: {step method: metadata}}`` for the pipeline's ``method``."""
        if _routing_enabled():
            return process_routing(self, method, **props, **kwargs)
        per_step = Bunch(**{name: Bunch(**{m: {} for m in _STEP_METHODS})
                            for name, step in self.steps if step is not None})
        for key, value in props.items():
            if "__" not in key:
                raise ValueError(
                    f"Pipeline.fit does not accept the {key} parameter. You can pass "
                    "parameters to specific steps of your pipeline using the "
                    "stepname__parameter format, e.g. "
                    "`Pipeline.fit(X, y, logisticregression__sample_weight"
                    "=sample_weight)`."
                )
            step, param = key.split("__", 1)
            # Without routing, a step's parameters go to whichever fitting
            # method is called on it (not to ``transform``), as in scikit-learn;
            # for a sampler that is ``fit_resample``.
            for callee in _FITTING_CALLERS:
                per_step[step][callee][param] = value
        return per_step

    def _check_transform_input(self):
        if self.transform_input is not None and not _routing_enabled():
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata "
                "routing is enabled. You can enable metadata routing using "
                "`sklearn.set_config(enable_metadata_routing=True)`."
            )

    def _get_metadata_for_step(self, *, step_idx, step_params, all_params):
        """The step's routed metadata, with ``transform_input`` entries transformed.

        A metadata value named in ``transform_input`` goes through the
        transformers before step ``step_idx`` (samplers skipped: they only act on
        the training rows), each given the metadata its ``transform`` requested.
        """
        if (self.transform_input is None or not all_params or not step_params
                or step_idx == 0):
            return step_params
        head = self[:step_idx]
        wanted = get_routing_for_object(head).consumes(method="transform",
                                                       params=all_params.keys())
        head_params = {key: all_params[key] for key in wanted}
        transformed = {}

        def through_head(name, value):
            if name not in transformed:
                if isinstance(value, tuple):
                    transformed[name] = tuple(head._transform_rows(v, head_params)
                                              for v in value)
                else:
                    transformed[name] = head._transform_rows(value, head_params)
            return transformed[name]

        return Bunch(**{
            method: Bunch(**{name: (through_head(name, value)
                                    if name in self.transform_input else value)
                             for name, value in params.items()})
            for method, params in step_params.items()
        })

    def _transform_rows(self, X, params):
        """X through every transformer step, final one included; samplers skipped."""
        routed = process_routing(self, "transform", **params)
        for _, name, step in self._iter():
            X = step.transform(X, **routed[name].transform)
        return X

    # --- fitting ------------------------------------------------------------

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        """Fit every step but the last.

        Returns ``(Xt, yt, rows)``: the data the last step sees and a
        :class:`_RowTracker` of where its rows came from.
        """
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        fit_step_cached = memory.cache(_fit_step)
        rows = _RowTracker(X, self.transform_input)
        for idx, name, step in self._iter(with_final=False, filter_passthrough=False,
                                          filter_resample=False):
            message = self._log_message(idx)
            if _is_passthrough(step):
                with _print_elapsed_time("Pipeline", message):
                    continue
            if hasattr(memory, "location") and memory.location is None:
                cloned = step  # no cache: fit the user's object, as scikit-learn does
            else:
                cloned = clone(step)
            params = self._get_metadata_for_step(
                step_idx=idx, step_params=routed_params[name], all_params=raw_params)
            X, y, fitted = fit_step_cached(cloned, X, y, rows.follow(params, name), message)
            self.steps[idx] = (name, fitted)
            if _is_sampler(fitted):
                rows.resampled_by(fitted, name)
        return X, y, rows

    def _fit_head(self, method, X, y, params):
        """Check and route ``params``, fit all but the last step.

        Returns ``(Xt, yt, last_step_params)``.
        """
        self._check_transform_input()
        routed = self._check_method_params(method=method, props=params)
        Xt, yt, rows = self._fit(X, y, routed, raw_params=params)
        last_name, last = self.steps[-1]
        if _is_passthrough(last):
            return Xt, yt, {}
        last_params = self._get_metadata_for_step(
            step_idx=len(self) - 1, step_params=routed[last_name], all_params=params)
        return Xt, yt, rows.follow(last_params, last_name)

    def _last_step_message(self):
        return self._log_message(len(self.steps) - 1)

    @_fit_context(prefer_skip_nested_validation=False)  # the steps validate themselves
    def fit(self, X, y=None, **params):
        """Fit the steps in order; samplers resample X and y on the way.

        Parameters
        ----------
        X : iterable
            Training data, as the first step accepts it.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Without metadata routing: ``stepname__parameter`` values for the
            steps' fitting methods. With routing: metadata the steps requested.

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        Xt, yt, last_params = self._fit_head("fit", X, y, params)
        with _print_elapsed_time("Pipeline", self._last_step_message()):
            if self._final_estimator != "passthrough":
                self._final_estimator.fit(Xt, yt, **last_params.get("fit", {}))
        return self

    def _can_fit_transform(self):
        final = self._final_estimator
        return (final == "passthrough" or hasattr(final, "transform")
                or hasattr(final, "fit_transform"))

    @available_if(_can_fit_transform)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y=None, **params):
        """Fit the pipeline and transform the (resampled) training data.

        Parameters
        ----------
        X : iterable
            Training data, as the first step accepts it.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            As for :meth:`fit`.

        Returns
        -------
        Xt : array-like of shape (n_samples_resampled, n_transformed_features)
            The training data after every step; its rows are the resampled rows.
        """
        Xt, yt, last_params = self._fit_head("fit_transform", X, y, params)
        final = self._final_estimator
        with _print_elapsed_time("Pipeline", self._last_step_message()):
            if final == "passthrough":
                return Xt
            if hasattr(final, "fit_transform"):
                return final.fit_transform(Xt, yt, **last_params.get("fit_transform", {}))
            final.fit(Xt, yt, **last_params.get("fit", {}))
            return final.transform(Xt, **last_params.get("transform", {}))

    @available_if(_last_step_has("fit_predict"))
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_predict(self, X, y=None, **params):
        """Fit the pipeline and return the last step's ``fit_predict``.

        Parameters
        ----------
        X : iterable
            Training data, as the first step accepts it.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            As for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples_resampled,)
            Predictions for the rows the last step was fitted on (after resampling).
        """
        Xt, yt, last_params = self._fit_head("fit_predict", X, y, params)
        with _print_elapsed_time("Pipeline", self._last_step_message()):
            return self.steps[-1][1].fit_predict(Xt, yt,
                                                 **last_params.get("fit_predict", {}))

    def _can_fit_resample(self):
        final = self._final_estimator
        return final == "passthrough" or _is_sampler(final)

    @available_if(_can_fit_resample)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y=None, **params):
        """Fit the pipeline whose last step is a sampler and resample with it.

        Parameters
        ----------
        X : iterable
            Training data, as the first step accepts it.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            As for :meth:`fit`.

        Returns
        -------
        X_resampled : array-like of shape (n_samples_new, n_features_new)
            The data after every step.
        y_resampled : array-like of shape (n_samples_new,)
            Its labels.
        """
        Xt, yt, last_params = self._fit_head("fit_resample", X, y, params)
        with _print_elapsed_time("Pipeline", self._last_step_message()):
            if self._final_estimator == "passthrough":
                return Xt, yt
            return self._final_estimator.fit_resample(
                Xt, yt, **last_params.get("fit_resample", {}))

    # --- inference: samplers are skipped ------------------------------------

    def _not_fitted_guard(self, run, stacklevel=3):
        """Run an inference call; warn (as imbalanced-learn 0.14) if never fitted.

        A step that raises ``NotFittedError`` makes the pipeline raise it; a
        pipeline whose last step does not look fitted but ran anyway (a
        stateless estimator) gives a ``FutureWarning``.
        """
        try:
            result = run()
        except NotFittedError as exc:
            raise NotFittedError("Pipeline is not fitted yet.") from exc
        if not self.__sklearn_is_fitted__():
            # Attributed to the caller of the public method.
            warnings.warn(_NOT_FITTED_WARNING, FutureWarning, stacklevel=stacklevel)
        return result

    def _head_transform(self, X, routed):
        """X through the transformers before the last step (samplers skipped)."""
        for _, name, step in self._iter(with_final=False):
            X = step.transform(X, **(routed[name].transform if routed is not None else {}))
        return X

    def _call_last(self, method, X, params, *, routing_only=False):
        """Transform X through the steps, then call the last step's ``method``."""
        def run():
            if routing_only:
                _raise_for_params(params, self, method)
            last_name, last = self.steps[-1]
            if not _routing_enabled():
                return getattr(last, method)(self._head_transform(X, None), **params)
            routed = process_routing(self, method, **params)
            Xt = self._head_transform(X, routed)
            return getattr(last, method)(Xt, **routed[last_name][method])

        return self._not_fitted_guard(run, stacklevel=4)

    @available_if(_last_step_has("predict"))
    def predict(self, X, **params):
        """Transform X through the transformers and predict with the last step.

        Samplers are skipped: every row of X gets a prediction.

        Parameters
        ----------
        X : iterable
            Data to predict on, as the first step accepts it.
        **params : dict of str -> object
            Without routing: parameters of the last step's ``predict``. With
            routing: metadata the steps requested.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The last step's predictions.
        """
        return self._call_last("predict", X, params)

    @available_if(_last_step_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Transform X through the transformers and call the last step's ``predict_proba``.

        Parameters
        ----------
        X : iterable
            Data to predict on.
        **params : dict of str -> object
            As for :meth:`predict`.

        Returns
        -------
        y_proba : ndarray of shape (n_samples, n_classes)
            Class probabilities.
        """
        return self._call_last("predict_proba", X, params)

    @available_if(_last_step_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Transform X and call the last step's ``predict_log_proba``.

        Parameters
        ----------
        X : iterable
            Data to predict on.
        **params : dict of str -> object
            As for :meth:`predict`.

        Returns
        -------
        y_log_proba : ndarray of shape (n_samples, n_classes)
            Log of the class probabilities.
        """
        return self._call_last("predict_log_proba", X, params)

    @available_if(_last_step_has("decision_function"))
    def decision_function(self, X, **params):
        """Transform X and call the last step's ``decision_function``.

        Parameters
        ----------
        X : iterable
            Data to predict on.
        **params : dict of str -> object
            Metadata the steps requested (metadata routing only).

        Returns
        -------
        y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        return self._call_last("decision_function", X, params, routing_only=True)

    @available_if(_last_step_has("score_samples"))
    def score_samples(self, X):
        """Transform X and call the last step's ``score_samples``.

        Parameters
        ----------
        X : iterable
            Data to score.

        Returns
        -------
        y_score : ndarray of shape (n_samples,)
            Per-sample scores.
        """
        def run():
            return self.steps[-1][1].score_samples(self._head_transform(X, None))

        return self._not_fitted_guard(run)

    @available_if(_last_step_has("score"))
    def score(self, X, y=None, sample_weight=None, **params):
        """Transform X and call the last step's ``score``.

        Parameters
        ----------
        X : iterable
            Data to score, as the first step accepts it.
        y : iterable, default=None
            Targets.
        sample_weight : array-like, default=None
            Passed to the last step's ``score`` when given.
        **params : dict of str -> object
            Metadata the steps requested (metadata routing only).

        Returns
        -------
        score : float
            The last step's score.
        """
        def run():
            last_name, last = self.steps[-1]
            if not _routing_enabled():
                extra = {} if sample_weight is None else {"sample_weight": sample_weight}
                return last.score(self._head_transform(X, None), y, **extra)
            routed = process_routing(self, "score", sample_weight=sample_weight, **params)
            return last.score(self._head_transform(X, routed), y,
                              **routed[last_name].score)

        return self._not_fitted_guard(run)

    @available_if(sk_pipeline.Pipeline._can_transform)
    def transform(self, X, **params):
        """Transform X through every transformer, the last step included.

        Samplers are skipped, so the output has one row per input row.

        Parameters
        ----------
        X : iterable
            Data to transform.
        **params : dict of str -> object
            Metadata the steps requested (metadata routing only).

        Returns
        -------
        Xt : array-like of shape (n_samples, n_transformed_features)
            Transformed data.
        """
        def run():
            _raise_for_params(params, self, "transform")
            return self._transform_rows(X, params)

        return self._not_fitted_guard(run)

    @available_if(sk_pipeline.Pipeline._can_inverse_transform)
    def inverse_transform(self, X, **params):
        """Apply the transformers' ``inverse_transform`` in reverse order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_transformed_features)
            Data in the transformed space.
        **params : dict of str -> object
            Metadata the steps requested (metadata routing only).

        Returns
        -------
        X_original : array-like of shape (n_samples, n_features)
            Data in the original space.
        """
        def run():
            _raise_for_params(params, self, "inverse_transform")
            routed = process_routing(self, "inverse_transform", **params)
            Xt = X
            for _, name, step in reversed(list(self._iter())):
                Xt = step.inverse_transform(Xt, **routed[name].inverse_transform)
            return Xt

        return self._not_fitted_guard(run)

    # --- introspection ------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # imbalanced-learn's checks read a ``dataframe`` input tag.
        inherited = {f.name: getattr(tags.input_tags, f.name) for f in fields(InputTags)}
        tags.input_tags = SamplerInputTags(**inherited, dataframe=True)
        return tags

    def get_metadata_routing(self):
        """Get the metadata routing of this pipeline.

        Fitting methods route to each sampler's ``fit_resample`` and to each
        transformer's ``fit_transform`` (or ``fit`` and ``transform``);
        inference methods route to the transformers' ``transform`` only, since
        samplers do not run there. See scikit-learn's metadata routing guide.

        Returns
        -------
        routing : MetadataRouter
            The routing information of every step.
        """
        router = MetadataRouter(owner=self.__class__.__name__)
        for _, name, step in self._iter(with_final=False, filter_passthrough=True,
                                        filter_resample=False):
            mapping = MethodMapping()
            if _is_sampler(step):
                fitting = ("fit_resample",)
            elif hasattr(step, "fit_transform"):
                fitting = ("fit_transform",)
            else:
                fitting = ("fit", "transform")
            for caller in _FITTING_CALLERS:
                for callee in fitting:
                    mapping.add(caller=caller, callee=callee)
            if not _is_sampler(step):
                for caller in _INFERENCE_CALLERS:
                    mapping.add(caller=caller, callee="transform")
                mapping.add(caller="inverse_transform", callee="inverse_transform")
            router.add(method_mapping=mapping, **{name: step})

        final_name, final = self.steps[-1]
        if _is_passthrough(final):
            return router
        mapping = MethodMapping()
        for method in ("fit", "fit_predict", "predict", "predict_proba",
                       "predict_log_proba", "decision_function", "score",
                       "transform", "inverse_transform", "fit_resample"):
            if method == "fit" or hasattr(final, method):
                mapping.add(caller=method, callee=method)
        if hasattr(final, "fit_transform"):
            mapping.add(caller="fit_transform", callee="fit_transform")
        else:
            mapping.add(caller="fit_transform", callee="fit")
            mapping.add(caller="fit_transform", callee="transform")
        router.add(method_mapping=mapping, **{final_name: final})
        return router


def _name_steps(estimators):
    names = [type(est).__name__.lower() if not isinstance(est, str) else est
             for est in estimators]
    counts = Counter(names)
    seen = Counter()
    unique = []
    for name in names:
        if counts[name] > 1:
            seen[name] += 1
            unique.append(f"{name}-{seen[name]}")
        else:
            unique.append(name)
    return list(zip(unique, estimators, strict=True))


@validate_params(
    {
        "memory": [None, str, HasMethods(["cache"])],
        "transform_input": [None, list],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_pipeline(*steps, memory=None, transform_input=None, verbose=False):
    """Build a :class:`Pipeline` naming each step after its lower-cased class.

    Parameters
    ----------
    *steps : estimators
        Transformers and samplers, then a final estimator.
    memory : str or object with the joblib.Memory interface, default=None
        Cache for the fitted intermediate steps (see :class:`Pipeline`).
    transform_input : list of str, default=None
        Metadata to transform by the preceding steps (see :class:`Pipeline`).
    verbose : bool, default=False
        Print the time each step takes to fit.

    Returns
    -------
    pipeline : Pipeline
        The pipeline; steps of the same class are numbered (``"pca-1"``, ``"pca-2"``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from gpuimb.over_sampling import RandomOverSampler
    >>> from gpuimb.pipeline import make_pipeline
    >>> pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    >>> [name for name, _ in pipe.steps]
    ['randomoversampler', 'logisticregression']
    """
    return Pipeline(_name_steps(steps), memory=memory, transform_input=transform_input,
                    verbose=verbose)
