"""Where papers come from: each source turns its input into PaperRecords."""
