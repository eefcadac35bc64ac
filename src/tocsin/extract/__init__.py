"""The evidence layer: entities, quotes, claims, figures, dates and events from clean text."""
