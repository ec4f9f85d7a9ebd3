"""Access control: who a caller is, which courses and rows it may see, and how much it may ask.

    principal   who a request comes from once its key is authenticated, and the roles
    keys        API keys: created, authenticated, revoked; their webhook secrets
    scope       what one caller may see, as conditions on queries
    owners      who a batch, submission or run belongs to, for authorisation and webhooks
    courses     one course per class, owning its work and keys
    counters    hits in windows that expire on their own (Redis served, memory embedded)
    quotas      each course's submissions per hour

Nothing here imports the use cases (`runners.intake`, `runners.pipeline`, ...): they ask it.
"""
