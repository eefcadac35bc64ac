"""Assessment: case files, evidence linking, scoring, actors, track record."""
