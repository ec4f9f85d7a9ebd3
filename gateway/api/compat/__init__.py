"""Judge0 CE and Piston routes: other runners' APIs over the same runs as `/v1/runs`."""
