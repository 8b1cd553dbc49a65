"""Progress bars for the steps that can take seconds, when the user asks for them.

One helper, :func:`progress`, wraps the loops of the slow samplers (one
iteration per condensing block, editing round, cross-validation fold or
clustering). It returns the iterable unchanged unless
``gpuimb.set_config(show_progress=True)`` is in effect and tqdm is installed;
``tqdm.auto`` draws a text bar in a terminal and a widget in a notebook.
"""

import warnings

from gpuimb._config import get_config


def progress(iterable, desc, *, unit="it", total=None):
    """Iterate over ``iterable``, with a progress bar when progress is switched on.

    Parameters
    ----------
    iterable : iterable
        What the loop runs over.
    desc : str
        Label shown before the bar (the sampler's name).
    unit : str, default="it"
        What one iteration is ("round", "fold", "block", ...).
    total : int, default=None
        Number of iterations when ``len(iterable)`` does not give it.

    Returns
    -------
    iterable : iterable
        ``iterable`` itself, or a ``tqdm`` bar yielding the same items.

    Examples
    --------
    >>> from gpuimb import config_context
    >>> from gpuimb.utils._progress import progress
    >>> list(progress(range(3), "demo"))
    [0, 1, 2]
    >>> with config_context(show_progress=True):
    ...     sum(progress(range(4), "demo", unit="round", total=4))
    6
    """
    if not get_config().get("show_progress", False):
        return iterable
    try:
        with warnings.catch_warnings():
            # In a notebook without ipywidgets tqdm.auto warns and draws text bars.
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: no bar, same loop
        return iterable
    return tqdm(iterable, desc=desc, unit=unit, total=total, leave=False)
