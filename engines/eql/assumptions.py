"""The Elasticsearch behaviours this executor assumes without having run them on a cluster.

Each is read from Elasticsearch or Lucene source (cited), not observed on a live system. They live
here, in one place, so a live test can flip them; tests/test_eql_engine.py pins each one.
"""

from __future__ import annotations

#: Modelled version line: Elasticsearch 8.x on Lucene 9.
ELASTICSEARCH_VERSION = "8.x"

#: Case-insensitive matching (`:`, `like~`, `in~`, `regex~`, `fn~`) folds ASCII letters only.
#: Source: elastic/elasticsearch `AutomatonQueries.toCaseInsensitiveChar` and Lucene 9
#: `RegExp.toCaseInsensitiveChar` ("For now we only work with ASCII characters", code points > 128
#: are left alone). Elasticsearch 9 moved to Lucene 10's `Automata.makeCaseInsensitiveChar`,
#: which may fold more: non-ASCII case differences are version-dependent.
CASE_FOLDING = "ascii"

#: `startsWith`, `endsWith`, `stringContains` (and their `~` forms) on a plain field with a literal
#: argument are pushed down as prefix / wildcard queries (elastic/elasticsearch
#: x-pack/plugin/eql/.../planner/QueryTranslator.java `CaseInsensitiveScalarFunctions`, and QL
#: `ExpressionTranslators.Scalars.doKnownTranslate` for StartsWith). So under `not` they are a
#: `must_not` and match documents lacking the field. semantics.md F.2 2.1 read an older fixture in
#: which they were null-safe scripts (no match under `not` for a missing field); set this to False
#: to model that older behaviour.
STRING_FUNCTIONS_PUSHED_DOWN = True

#: `not` is not a plain `must_not` everywhere: the EQL optimizer's BooleanSimplification negates
#: what is `Negatable` first, so `not (f < 5)` becomes `f >= 5` (a range query: a document without
#: `f` does not match) and De Morgan is applied through `and`/`or`. Source: QL OptimizerRules
#: `BooleanSimplification.simplifyNot`, and the fixture `notFilter` in
#: x-pack/plugin/eql/src/test/resources/queryfolder_tests.txt (`not (exit_code > -1)` is
#: translated to a range `exit_code <= -1`).
RANGE_NEGATION_FLIPS = True

#: A value its mapping cannot parse (boolean "FALSE", ip "ec2.amazonaws.com", long "abc") is not
#: indexed and the document is kept: Elasticsearch 8's `logs@settings` template sets
#: `index.mapping.ignore_malformed: true` for `logs-*-*` data streams (the AWS integration writes
#: `logs-aws.cloudtrail-*`). Without that setting Elasticsearch would reject the whole document.
#: [U] for booleans: ignore_malformed on boolean fields arrived later than on numbers, dates and ips.
MALFORMED_VALUES_IGNORED = True
