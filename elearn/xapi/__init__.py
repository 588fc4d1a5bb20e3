"""xAPI statements for a Learning Record Store (ADL verbs; deterministic ids)."""
