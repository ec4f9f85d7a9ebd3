"""The sandbox: one locked-down container per run, its image, its limits and its janitor."""
