"""Appeals against the labelling body's decisions, decided by an independent panel."""
