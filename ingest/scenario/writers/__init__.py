"""Per-format writers: each turns scenario detections into one real export format."""
