"""Other runners' APIs over OopsEngine's runs: Judge0 CE (`judge0`) and Piston (`piston`).

Both translate a foreign request into a `runners.runs.RunSpec` and a stored run back into the
foreign answer; the runs themselves are the same rows the `/v1/runs` API reads and writes.
"""
