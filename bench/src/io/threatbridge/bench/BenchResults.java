package io.threatbridge.bench;

/** Where a scenario puts its figures: a row of the table bench/run prints (Benchmark's result). */
@FunctionalInterface
interface BenchResults {

    void add(String scenario, String figure, String value);
}
