"""siemc's core: load and validate rules, the target registry, compile, evaluate, check, CLI."""
