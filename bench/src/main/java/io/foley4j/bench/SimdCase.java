package io.foley4j.bench;

/**
 * One kernel timed through its scalar reference and its Vector API version (same signature, same operands) on
 * the calling thread. {@code work} is what one call does, in {@code unit}s: "FLOP", "B" (bytes of memory traffic) or "elem" (elements, for transcendental activations
 * and softmax, whose cost per element is a polynomial rather than a FLOP count).
 */
record SimdCase(String family, String op, String shape, double work, String unit, Runnable scalar, Runnable vector) {

    /** The throughput column's label for a rate of {@code work / seconds}. */
    String rate(double seconds) {
        double r = work / seconds / 1e9;
        return Report.f("%.1f %s", r, switch (unit) {
            case "B" -> "GB/s";
            case "elem" -> "Gelem/s";
            default -> "GFLOP/s";
        });
    }
}
