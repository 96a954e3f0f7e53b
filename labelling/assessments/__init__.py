"""Labelling applications: questionnaire answers, assessor scores, the workflow, decisions."""
