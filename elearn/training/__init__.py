"""The training rules, each in one place: status, scoring, completion, assignment cycles."""
