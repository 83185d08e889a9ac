"""Per-format writers: each turns the scenario's days into one real export format."""
