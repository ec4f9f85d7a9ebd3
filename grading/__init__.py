"""Pure grading logic: suites, output comparison, feedback, scores and gradebooks.

Nothing here touches Docker, a database or the network; `runners` and `gateway` build on it.
"""
