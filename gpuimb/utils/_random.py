"""Random draws on the host, in the order imbalanced-learn makes them.

All randomness comes from a host ``numpy.random.RandomState``; the small arrays
of draws are then moved next to the data. These helpers return *positions*
into a population so the population itself never has to leave the device.
"""

import numpy as np


def choice_positions(random_state, n_population, size, replace):
    """Positions drawn like ``random_state.choice(population, size, replace)``.

    ``population[choice_positions(rs, len(population), size, replace)]`` equals
    ``rs.choice(population, size, replace)`` and consumes the same random numbers.

    Parameters
    ----------
    random_state : numpy.random.RandomState
        The host random state.
    n_population : int
        Size of the population.
    size : int
        Number of draws.
    replace : bool
        Draw with replacement.

    Returns
    -------
    positions : ndarray of shape (size,)
        Integer positions into the population.
    """
    return np.asarray(random_state.choice(n_population, size=size, replace=replace),
                      dtype=np.int64)
