"""Monte Carlo simulation: drawing parameters, generating electorates, counting them under every
strategy, chunk by chunk (see docs/architecture.md)."""
