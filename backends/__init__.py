"""One module per target: a pySigma TextQueryBackend subclass and its CloudTrail pipeline."""
