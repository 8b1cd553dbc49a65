"""Pipeline whose intermediate steps may be samplers.

Design decision (hard to reverse, so written down): gpuimb's ``Pipeline`` is a
small subclass of scikit-learn's, not a copy of imbalanced-learn's. It only
changes what differs for samplers: step validation, ``fit`` (samplers resample
X *and* y, and act only while fitting) and iteration at predict/transform time
(samplers are skipped). Everything else — ``predict``, ``score``, ``transform``,
``get_params``, indexing, HTML repr — is scikit-learn's own, so it follows
scikit-learn upgrades. Fit parameters use the ``step__param`` convention or, with
``sklearn.set_config(enable_metadata_routing=True)``, scikit-learn's metadata
routing, where samplers consume metadata through ``fit_resample``.
"""

from collections import Counter

from sklearn import pipeline as sk_pipeline
from sklearn.base import clone
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import check_memory

import gpuimb.base  # noqa: F401  (registers fit_resample with metadata routing)

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


def _fit_step(step, X, y, params):
    """Fit one intermediate step; return ``(X, y, fitted_step)``.

    ``params`` maps the step's methods to their metadata.
    """
    if _is_sampler(step):
        X, y = step.fit_resample(X, y, **params.get("fit_resample", {}))
        return X, y, step
    if hasattr(step, "fit_transform"):
        return step.fit_transform(X, y, **params.get("fit_transform", {})), y, step
    step.fit(X, y, **params.get("fit", {}))
    return step.transform(X, **params.get("transform", {})), y, step


class Pipeline(sk_pipeline.Pipeline):
    """A scikit-learn Pipeline that accepts samplers as intermediate steps.

    Samplers (objects with ``fit_resample``) resample X and y while the pipeline
    is fitted and are skipped by ``predict``, ``transform``, ``score`` and the
    other inference methods.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Transformers and samplers, then a final estimator.
    transform_input : None
        Kept for signature compatibility with scikit-learn; must be None.
    memory : str or object with the joblib.Memory interface, default=None
        Caches fitted intermediate steps.
    verbose : bool, default=False
        Print the time each step takes to fit.
    """

    def _validate_steps(self):
        names, estimators = zip(*self.steps, strict=True)
        self._validate_names(names)
        for step in estimators[:-1]:
            if _is_passthrough(step):
                continue
            has_transform = hasattr(step, "fit") and hasattr(step, "transform")
            if not (has_transform or _is_sampler(step)):
                raise TypeError(
                    "All intermediate steps should be transformers and implement "
                    "fit and transform or be samplers and implement fit_resample "
                    f"(but not both) or be the string 'passthrough' '{step}' "
                    f"(type {type(step)}) doesn't"
                )
            if hasattr(step, "transform") and _is_sampler(step):
                raise TypeError(
                    "All intermediate steps of the chain should be estimators "
                    "that implement fit and transform or fit_resample. "
                    f"'{step}' implements both)"
                )
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

    def _split_params(self, method, params):
        """``{step name: {step method: metadata}}`` for the pipeline's ``method``."""
        if _routing_enabled():
            routed = process_routing(self, method, **params)
            return {name: dict(routed.get(name, {})) for name, _ in self.steps}
        per_step = {name: {} for name, _ in self.steps}
        for key, value in params.items():
            if "__" not in key:
                raise ValueError(
                    f"Pipeline.fit does not accept the {key} parameter. You can pass "
                    "parameters to specific steps of your pipeline using the "
                    "stepname__parameter format, e.g. "
                    "`Pipeline.fit(X, y, logisticregression__sample_weight"
                    "=sample_weight)`."
                )
            step, param = key.split("__", 1)
            per_step[step][param] = value
        # Without routing, a step's parameters go to whichever fitting method
        # is called on it (not to ``transform``), as in scikit-learn.
        return {name: {callee: step_params for callee in _FITTING_CALLERS}
                for name, step_params in per_step.items()}

    def _fit_intermediate(self, X, y, per_step):
        self.steps = list(self.steps)
        self._validate_steps()
        if self.transform_input is not None:
            raise ValueError("transform_input is not supported by gpuimb's Pipeline.")
        memory = check_memory(self.memory)
        fit_step_cached = memory.cache(_fit_step)
        for idx, name, step in self._iter(with_final=False, filter_passthrough=False,
                                          filter_resample=False):
            if _is_passthrough(step):
                continue
            cloned = step if getattr(memory, "location", None) is None else clone(step)
            with sk_pipeline._print_elapsed_time("Pipeline", self._log_message(idx)):
                X, y, fitted = fit_step_cached(cloned, X, y, per_step[name])
            self.steps[idx] = (name, fitted)
        return X, y

    def _fit_all_but_last(self, method, X, y, params):
        """Fit every step but the last; return ``(Xt, yt, last_step_params)``."""
        per_step = self._split_params(method, params)
        Xt, yt = self._fit_intermediate(X, y, per_step)
        return Xt, yt, per_step[self.steps[-1][0]]

    def fit(self, X, y=None, **params):
        """Fit the steps in order; samplers resample X and y on the way.

        Parameters
        ----------
        X : array-like
            Training data.
        y : array-like, default=None
            Training targets.
        **params : dict
            ``step__parameter`` fit parameters.

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        Xt, yt, last_params = self._fit_all_but_last("fit", X, y, params)
        with sk_pipeline._print_elapsed_time("Pipeline",
                                             self._log_message(len(self.steps) - 1)):
            final = self._final_estimator
            if final != "passthrough":
                final.fit(Xt, yt, **last_params.get("fit", {}))
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit the pipeline and transform the (resampled) training data.

        Parameters
        ----------
        X : array-like
            Training data.
        y : array-like, default=None
            Training targets.
        **params : dict
            ``step__parameter`` fit parameters.

        Returns
        -------
        Xt : array-like
            The transformed training data.
        """
        Xt, yt, last_params = self._fit_all_but_last("fit_transform", X, y, params)
        final = self._final_estimator
        if final == "passthrough":
            return Xt
        if hasattr(final, "fit_transform"):
            return final.fit_transform(Xt, yt, **last_params.get("fit_transform", {}))
        final.fit(Xt, yt, **last_params.get("fit", {}))
        return final.transform(Xt, **last_params.get("transform", {}))

    def fit_predict(self, X, y=None, **params):
        """Fit the pipeline and return the final step's ``fit_predict``.

        Parameters
        ----------
        X : array-like
            Training data.
        y : array-like, default=None
            Training targets.
        **params : dict
            ``step__parameter`` fit parameters.

        Returns
        -------
        y_pred : ndarray
            Predictions on the (resampled) training data.
        """
        Xt, yt, last_params = self._fit_all_but_last("fit_predict", X, y, params)
        return self._final_estimator.fit_predict(Xt, yt,
                                                 **last_params.get("fit_predict", {}))

    def fit_resample(self, X, y=None, **params):
        """Fit the pipeline whose last step is a sampler and resample with it.

        Parameters
        ----------
        X : array-like
            Training data.
        y : array-like, default=None
            Training targets.
        **params : dict
            ``step__parameter`` fit parameters.

        Returns
        -------
        X_resampled, y_resampled
            The output of the last sampler.
        """
        final = self._final_estimator
        if final != "passthrough" and not _is_sampler(final):
            raise AttributeError("The last step of the pipeline has no fit_resample.")
        Xt, yt, last_params = self._fit_all_but_last("fit_resample", X, y, params)
        if final == "passthrough":
            return Xt, yt
        return final.fit_resample(Xt, yt, **last_params.get("fit_resample", {}))

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


def make_pipeline(*steps, memory=None, verbose=False):
    """Build a :class:`Pipeline` naming each step after its lower-cased class.

    Parameters
    ----------
    *steps : estimators
        Transformers and samplers, then a final estimator.
    memory : str or object with the joblib.Memory interface, default=None
        Caches fitted intermediate steps.
    verbose : bool, default=False
        Print the time each step takes to fit.

    Returns
    -------
    pipeline : Pipeline
        The pipeline.
    """
    return Pipeline(_name_steps(steps), memory=memory, verbose=verbose)
