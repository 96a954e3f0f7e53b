"""The demo: accounts of every role, organisations, an imported registry, benchmarked peers
and an application in every state, loaded by `labelling demo`."""
