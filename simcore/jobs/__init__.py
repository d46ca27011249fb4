"""Whole jobs that join the layers: a simulation run (scenario in, outputs out) and the
sampling check."""
