"""Command-line surface: `paperpath <command>`; one module per group of commands."""
