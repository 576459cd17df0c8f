"""Finding records by what people type: authors by name, works by title."""
