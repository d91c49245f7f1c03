"""Storage: schema, engine and migrations, and the paper writer/reader."""
