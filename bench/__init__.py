"""simcore's benchmarks (run them with ``simcore bench``)."""
