"""The criteria frameworks as the running application serves them: those loaded at start-up,
the current one, their names and wording in the reader's language, and their public pages.
The engine that reads and scores them (`labelling.criteria`) knows nothing of Flask."""
