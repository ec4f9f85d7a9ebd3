"""The store: the tables, the database engine and the migrations that are the record of work."""
