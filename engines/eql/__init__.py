"""Elasticsearch EQL executor internals: parse with Elastic's `eql` package, evaluate like Elasticsearch."""
