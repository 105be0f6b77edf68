"""Foundations every stage uses: exceptions that name the offending file, atomic writes, SHA-256 of
files, and paths confined to their folder. Imports nothing else of forgeloc."""
