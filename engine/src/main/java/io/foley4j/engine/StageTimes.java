package io.foley4j.engine;

/**
 * Opt-in wall-clock totals per stage of a model's forward (the enum {@code E} names the stages), kept by a model state
 * and read by the profiling benchmarks. Off (the default), {@link #tick} and {@link #lap} cost one null check.
 */
public final class StageTimes<E extends Enum<E>> {
    private final int stages;
    private long[] nanos;

    public StageTimes(Class<E> stages) {
        this.stages = stages.getEnumConstants().length;
    }

    /** {@code true} starts (and zeros) the totals, {@code false} stops. */
    public void enable(boolean on) {
        nanos = on ? new long[stages] : null;
    }

    /** Nanoseconds per stage (indexed by ordinal) since timing began; null when off. */
    public long[] nanos() {
        return nanos == null ? null : nanos.clone();
    }

    /** A start time, or 0 when off. */
    public long tick() {
        return nanos == null ? 0 : System.nanoTime();
    }

    /** Charges the time since {@code start} to {@code stage}; returns now (the next stage's start), or 0 when off. */
    public long lap(E stage, long start) {
        if (nanos == null) return 0;
        long now = System.nanoTime();
        nanos[stage.ordinal()] += now - start;
        return now;
    }
}
