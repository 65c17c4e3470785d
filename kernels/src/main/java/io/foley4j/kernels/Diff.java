package io.foley4j.kernels;

/**
 * Error metrics between a result and a reference, with the worst element located, so every numeric test
 * and parity check reports where it failed, not just that it failed.
 *
 * @param maxAbs   largest |actual - expected|
 * @param maxRel   largest |actual - expected| / max(|expected|, floor)
 * @param worst    index of the element with the largest relative error (by the same floor)
 * @param actual   value at {@code worst}
 * @param expected reference value at {@code worst}
 * @param cosine   cosine similarity of the two vectors (1 when both are zero)
 */
public record Diff(double maxAbs, double maxRel, int worst, double actual, double expected, double cosine) {

    /** Compares with relative errors floored at {@code floor} (so tiny references do not explode the ratio). */
    public static Diff of(float[] actual, float[] expected, double floor) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("Diff: length " + actual.length + " vs reference " + expected.length);
        }
        double maxAbs = 0, maxRel = -1, dot = 0, na = 0, ne = 0;
        int worst = -1;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i], e = expected[i];
            double abs = Math.abs(a - e);
            if (Double.isNaN(abs)) {
                abs = Double.POSITIVE_INFINITY;
            }
            double rel = abs / Math.max(Math.abs(e), floor);
            maxAbs = Math.max(maxAbs, abs);
            if (rel > maxRel) {
                maxRel = rel;
                worst = i;
            }
            dot += a * e;
            na += a * a;
            ne += e * e;
        }
        double cos = (na == 0 && ne == 0) ? 1 : dot / Math.sqrt(na * ne);
        return new Diff(maxAbs, Math.max(maxRel, 0), worst,
                worst < 0 ? 0 : actual[worst], worst < 0 ? 0 : expected[worst], cos);
    }

    public static Diff of(float[] actual, float[] expected) {
        return of(actual, expected, 1.0);
    }

    /** Human-readable summary naming the worst element, e.g. for assertion messages. */
    @Override
    public String toString() {
        return String.format("maxAbs=%.3e maxRel=%.3e cosine=%.8f worst[%d]: got %.8g expected %.8g",
                maxAbs, maxRel, cosine, worst, actual, expected);
    }
}
