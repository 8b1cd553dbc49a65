"""Side-by-side benchmarks of gpuimb against imbalanced-learn (see README.md)."""
