package io.foley4j.bench;

/**
 * One kernel timed through its scalar reference and its Vector API version (same signature, same operands) on
 * the calling thread. {@code work} is what one call does, in {@code unit}s ("FLOP" or "B" of memory traffic).
 */
record SimdCase(String family, String op, String shape, double work, String unit, Runnable scalar, Runnable vector) {

    /** The throughput column's label for a rate of {@code work / seconds}. */
    String rate(double seconds) {
        double r = work / seconds / 1e9;
        return Report.f("%.1f %s", r, unit.equals("B") ? "GB/s" : "GFLOP/s");
    }
}
