"""SQLite store: schema, numbered migrations and the queries every stage uses."""
