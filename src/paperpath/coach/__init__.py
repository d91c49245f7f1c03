"""The coach: profile, canon and foundations path, recommendations, weekly plan, reading log,
explain-back, spaced repetition and progress."""
