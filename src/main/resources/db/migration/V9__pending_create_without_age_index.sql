-- pending_create holds only the creates in flight and those a crash left unanswered: a handful of
-- rows, which the retention reads whole. The index on started_at (V8) cost a B-tree write at both
-- ends of every create (its row is inserted before the call and deleted after the answer), each a
-- page of a durable H2 commit (docs/benchmarks.md, "Throughput after the delivery's commits were cut").
DROP INDEX IF EXISTS pending_create_started_at;
