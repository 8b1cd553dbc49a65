"""Provenance of synthetic samples: where each generated row came from.

Every interpolating over-sampler (SMOTE family, ADASYN) sets ``provenance_``
after ``fit_resample``. Row ``i`` of the synthetic block (output row
``n_original + i``) was generated as::

    X[base_indices[i]] + steps[i] * (X[neighbor_indices[i]] - X[base_indices[i]])

for its continuous features (SMOTENC/SMOTEN take categorical values from the
neighbours' vote, so only the continuous part follows the formula). Indices are
rows of the X given to ``fit_resample``. Arrays live in X's namespace and device.
"""

from dataclasses import dataclass

from gpuimb.utils._array_api import vstack


@dataclass
class SyntheticProvenance:
    """Origin of each synthetic row of an over-sampler's output.

    Attributes
    ----------
    n_original : int
        Number of original rows at the top of the output.
    base_indices : array of shape (n_synthetic,)
        Original row each synthetic row grew from.
    neighbor_indices : array of shape (n_synthetic,)
        Original row it moved towards.
    steps : array of shape (n_synthetic,)
        Interpolation step in [0, 1] (BorderlineSMOTE-2 uses [0, 0.5) towards
        other classes; SVMSMOTE may extrapolate away from a neighbour: negative).
    """

    n_original: int
    base_indices: object
    neighbor_indices: object
    steps: object

    @property
    def n_synthetic(self):
        """Number of synthetic rows."""
        return int(self.base_indices.shape[0])


def concat_provenance(n_original, parts, xp, device):
    """Join per-class ``(base, neighbor, steps)`` triples into one record.

    Parameters
    ----------
    n_original : int
        Number of original rows.
    parts : list of tuple of arrays
        One ``(base_indices, neighbor_indices, steps)`` per generated block, in
        output order.
    xp : module
        Array namespace.
    device : object
        Device of the arrays.

    Returns
    -------
    provenance : SyntheticProvenance
    """
    if not parts:
        empty_i = xp.zeros((0,), dtype=xp.int64, device=device)
        empty_f = xp.zeros((0,), dtype=xp.float64, device=device)
        return SyntheticProvenance(n_original, empty_i, empty_i, empty_f)
    bases, neighbors, steps = zip(*parts, strict=True)
    return SyntheticProvenance(
        n_original,
        xp.concat([xp.astype(b, xp.int64) for b in bases]),
        xp.concat([xp.astype(n, xp.int64) for n in neighbors]),
        xp.concat([xp.astype(s, xp.float64) for s in steps]),
    )


class SyntheticBlocks:
    """An over-sampler's output built block by block: X and y first, then each
    block of new rows with its (base, neighbor, steps) provenance, given as
    indices of the X passed to ``fit_resample``."""

    def __init__(self, X, y):
        self.X_blocks, self.y_blocks, self.parts = [X], [y], []

    def add(self, X_new, y_new, base, neighbor, steps):
        self.X_blocks.append(X_new)
        self.y_blocks.append(y_new)
        self.parts.append((base, neighbor, steps))

    def result(self, sampler, ctx):
        """Set ``sampler.provenance_``; return ``(X_resampled, y_resampled)``."""
        X = self.X_blocks[0]
        sampler.provenance_ = concat_provenance(int(X.shape[0]), self.parts, ctx.xp,
                                                ctx.device)
        return vstack(self.X_blocks, like=X), ctx.xp.concat(self.y_blocks)
