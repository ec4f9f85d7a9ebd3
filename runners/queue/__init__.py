"""The queue: the broker, the tasks workers run, and the reconciler that finds lost work."""
