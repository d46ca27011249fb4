"""Monte Carlo simulation: random streams, ballot generation, the engine and its outputs."""
