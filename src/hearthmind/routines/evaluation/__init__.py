"""The evaluation harness: every model on the same splits, side by side."""
