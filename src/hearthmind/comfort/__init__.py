"""comfort."""
