package io.foley4j.pipeline.foley;

/** Wall time of one pipeline stage and the process's peak resident memory while it ran (-1 when unknown). */
public record StageTiming(String stage, double seconds, long peakRssBytes) {}
