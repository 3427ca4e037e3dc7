"""mrgen: one spec in, every file of a multi-region deployment out."""
