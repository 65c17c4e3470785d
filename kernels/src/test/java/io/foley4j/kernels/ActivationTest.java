package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Activations: (1) vector vs scalar at the JVM's vector width, with tails; (2) scalar references and the vector exp
 * vs double-precision math. Metric: relative error with a floor (Diff.maxRel), so tiny outputs count absolutely.
 */
class ActivationTest {

    interface Op {
        void run(MemorySegment x, MemorySegment out, int from, int to);
    }

    /** Largest Diff of vector vs scalar over all tail sizes, inputs uniform in [-range, range], from offsets 0, 1, 5. */
    private static Diff vsScalar(Op scalar, Op vector, float range, double floor) {
        Diff worst = null;
        try (Arena arena = Arena.ofConfined()) {
            for (int n : Rand.TAIL_SIZES) {
                for (int from : new int[] {0, 1, 5}) {
                    if (from > n) continue;
                    MemorySegment x = Rand.segment(arena, n * 31L + from, n, range);
                    MemorySegment o1 = Mem.floats(arena, n), o2 = Mem.floats(arena, n);
                    scalar.run(x, o1, from, n);
                    vector.run(x, o2, from, n);
                    Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1), floor);
                    if (worst == null || d.maxRel() > worst.maxRel()) worst = d;
                }
            }
        }
        return worst;
    }

    private static void assertVsScalar(String name, Op scalar, Op vector, float range, double tol) {
        assertVsScalar(name, scalar, vector, range, tol, 1e-6);
    }

    /** Relative error floored at {@code floor}: outputs below it are held to tol * floor absolutely. */
    private static void assertVsScalar(String name, Op scalar, Op vector, float range, double tol, double floor) {
        Diff d = vsScalar(scalar, vector, range, floor);
        assertTrue(d.maxRel() <= tol, name + " vector vs scalar at " + Simd.describe() + ", tolerance " + tol + ": " + d);
    }

    @Tag("simd")
    @Test
    void geluMatchesScalar() {
        assertVsScalar("gelu", Activation::geluScalar, Activation::geluVector, 6f, 4e-7);
        assertVsScalar("gelu wide", Activation::geluScalar, Activation::geluVector, 20f, 4e-7);
    }

    @Tag("simd")
    @Test
    void geluTanhMatchesScalar() {
        // e^(-2u) with u rounded to float: relative error |2u| * 2^-24 in the negative tail, where outputs are tiny
        assertVsScalar("geluTanh", Activation::geluTanhScalar, Activation::geluTanhVector, 6f, 1.5e-6, 1e-3);
        assertVsScalar("geluTanh wide", Activation::geluTanhScalar, Activation::geluTanhVector, 30f, 1.5e-6, 1e-3);
    }

    @Tag("simd")
    @Test
    void quickGeluMatchesScalar() {
        assertVsScalar("quickGelu", Activation::quickGeluScalar, Activation::quickGeluVector, 8f, 4e-7);
        assertVsScalar("quickGelu wide", Activation::quickGeluScalar, Activation::quickGeluVector, 60f, 4e-7);
    }

    @Tag("simd")
    @Test
    void siluMatchesScalar() {
        assertVsScalar("silu", Activation::siluScalar, Activation::siluVector, 8f, 4e-7);
        assertVsScalar("silu wide", Activation::siluScalar, Activation::siluVector, 100f, 4e-7);
    }

    @Tag("simd")
    @Test
    void sigmoidMatchesScalar() {
        assertVsScalar("sigmoid", Activation::sigmoidScalar, Activation::sigmoidVector, 8f, 4e-7);
        assertVsScalar("sigmoid wide", Activation::sigmoidScalar, Activation::sigmoidVector, 100f, 4e-7);
    }

    @Tag("simd")
    @Test
    void tanhMatchesScalar() {
        assertVsScalar("tanh", Activation::tanhScalar, Activation::tanhVector, 3f, 4e-7);
        assertVsScalar("tanh small", Activation::tanhScalar, Activation::tanhVector, 1e-3f, 4e-7);
        assertVsScalar("tanh wide", Activation::tanhScalar, Activation::tanhVector, 50f, 4e-7);
    }

    /** Vector exp vs Math.exp over [-110, 95] (underflow and overflow included) and at special values. */
    @Tag("simd")
    @Test
    void vectorExpIsAccurateEverywhere() {
        int lanes = Simd.F.length();
        int n = 200_000 / lanes * lanes;
        float[] x = new float[n], got = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -110f + 205f * i / n;
            want[i] = (float) Math.exp(x[i]);
        }
        for (int i = 0; i < n; i += lanes) {
            Activation.exp(FloatVector.fromArray(Simd.F, x, i)).intoArray(got, i);
        }
        // relative error, floored at the smallest normal: subnormal results count absolutely
        Diff d = Diff.of(got, want, Float.MIN_NORMAL);
        assertTrue(d.maxRel() <= 3e-7, "exp over [-110, 95] at " + Simd.describe() + ": " + d);
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 88.72f, 88.73f, -104.5f, 0f, -0f};
        float[] out = new float[lanes];
        for (float s : special) {
            Activation.exp(FloatVector.broadcast(Simd.F, s)).intoArray(out, 0);
            float e = (float) Math.exp(s);
            assertTrue(Float.compare(out[0], e) == 0 || Math.abs(out[0] - e) <= 3e-7 * e,
                    "exp(" + s + ") = " + out[0] + ", expected " + e);
        }
    }

    @Tag("simd")
    @Test
    void vectorExpm1IsAccurateNearZero() {
        int lanes = Simd.F.length();
        int n = 100_000 / lanes * lanes;
        float[] x = new float[n], got = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) -Math.pow(10, -9 + 11.0 * i / n); // -1e-9 .. -100
            want[i] = (float) Math.expm1(x[i]);
        }
        for (int i = 0; i < n; i += lanes) {
            Activation.expm1(FloatVector.fromArray(Simd.F, x, i)).intoArray(got, i);
        }
        Diff d = Diff.of(got, want, 1e-30);
        assertTrue(d.maxRel() <= 3e-7, "expm1 over [-100, -1e-9] at " + Simd.describe() + ": " + d);
    }

    /** GELU (erf form), scalar and vector, vs x * Phi(x) in double (series / continued fraction). */
    @Tag("simd")
    @Test
    void geluIsAccurateAgainstDouble() {
        int n = 40_001;
        float[] x = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -13f + 26f * i / (n - 1);
            want[i] = (float) (x[i] * 0.5 * Reference.erfc(-x[i] / Math.sqrt(2)));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Mem.floats(arena, x), o = Mem.floats(arena, n);
            Activation.geluScalar(xs, o, 0, n);
            Diff ds = Diff.of(Mem.toFloats(o), want, 1e-37);
            assertTrue(ds.maxRel() <= 2.5e-7, "scalar gelu vs double: " + ds);
            Activation.geluVector(xs, o, 0, n);
            Diff dv = Diff.of(Mem.toFloats(o), want, 1e-37);
            assertTrue(dv.maxRel() <= 5e-7, "vector gelu vs double at " + Simd.describe() + ": " + dv);
        }
    }

    @Test
    void referenceErfcIsRight() {
        // {z, erfc(z)} from scipy.special.erfc, on both sides of the series / continued-fraction switch at 2.5
        double[][] table = {{0, 1.0}, {0.5, 0.4795001221869535}, {1, 0.15729920705028516},
            {2, 0.004677734981047266}, {2.49, 0.00042928786773391303}, {2.51, 0.0003857054817242799},
            {3, 2.2090496998585445e-05}, {5, 1.5374597944280347e-12}, {8, 1.1224297172982928e-29},
            {-5, 1.9999999999984626}};
        for (double[] row : table) {
            double got = Reference.erfc(row[0]);
            assertEquals(row[1], got, 1e-12 * row[1], "erfc(" + row[0] + ")");
        }
    }

    @Test
    void scalarReferencesMatchTheirFormulas() {
        float[] x = {-30f, -5f, -1f, -0.1f, 0f, 1e-4f, 0.5f, 3f, 30f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Mem.floats(arena, x), o = Mem.floats(arena, x.length);
            Activation.geluTanhScalar(xs, o, 0, x.length);
            float[] got = Mem.toFloats(o), want = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                want[i] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            }
            // the literal tanh formula loses relative accuracy below x ~ -5 (1 + tanh cancels): compare absolutely there
            Diff d = Diff.of(got, want, 1e-6);
            assertTrue(d.maxRel() <= 2e-7, "geluTanh: " + d);
            Activation.quickGeluScalar(xs, o, 0, x.length);
            for (int i = 0; i < x.length; i++) want[i] = (float) (x[i] / (1 + Math.exp(-1.702 * x[i])));
            assertEquals(0.0, Diff.of(Mem.toFloats(o), want).maxAbs());
        }
    }

    // ---- softmax ----

    @Tag("simd")
    @Test
    void softmaxMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int dim : new int[] {1, 7, 17, 33, 64, 387, 1000}) {
                int rows = 5;
                MemorySegment x = Rand.segment(arena, dim, rows * dim, 12f);
                MemorySegment o1 = Mem.floats(arena, rows * dim), o2 = Mem.floats(arena, rows * dim);
                Activation.softmaxScalar(x, o1, dim, 1, rows);
                Activation.softmaxVector(x, o2, dim, 1, rows);
                Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1), 1e-6);
                assertTrue(d.maxRel() <= 1e-6, "softmax dim=" + dim + " at " + Simd.describe() + ": " + d);
                assertEquals(0f, Mem.getF32(o2, 0), "row 0 is outside the range and stays untouched");
            }
        }
    }

    @Tag("simd")
    @Test
    void softmaxOfMaskedRows() {
        int dim = 37;
        float[] x = Rand.floats(3, 3 * dim, 4f);
        for (int j = 0; j < dim; j++) {
            x[j] = Float.NEGATIVE_INFINITY; // row 0 fully masked
            if (j % 3 == 0) x[dim + j] = Float.NEGATIVE_INFINITY; // row 1 partially masked
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Mem.floats(arena, x), o = Mem.floats(arena, 3 * dim);
            for (boolean vector : new boolean[] {false, true}) {
                o.fill((byte) 0x7f); // garbage
                if (vector) Activation.softmaxVector(xs, o, dim, 0, 3); else Activation.softmaxScalar(xs, o, dim, 0, 3);
                float[] got = Mem.toFloats(o);
                double sum1 = 0;
                for (int j = 0; j < dim; j++) {
                    assertEquals(0f, got[j], "fully masked row gives zeros (vector=" + vector + ")");
                    if (j % 3 == 0) assertEquals(0f, got[dim + j], "masked entry");
                    sum1 += got[dim + j];
                }
                assertEquals(1.0, sum1, 1e-6, "partially masked row sums to 1 (vector=" + vector + ")");
            }
        }
    }

    @Test
    void softmaxScalarIsAccurateAgainstDouble() {
        int dim = 1000;
        float[] x = Rand.floats(9, dim, 30f);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : x) max = Math.max(max, v);
        for (float v : x) sum += Math.exp(v - max);
        float[] want = new float[dim];
        for (int j = 0; j < dim; j++) want[j] = (float) (Math.exp(x[j] - max) / sum);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Mem.floats(arena, x), o = Mem.floats(arena, dim);
            Activation.softmaxScalar(xs, o, dim, 0, 1);
            Diff d = Diff.of(Mem.toFloats(o), want, 1e-30);
            assertTrue(d.maxRel() <= 1.2e-7, "softmax scalar vs double: " + d);
        }
    }

    @Test
    void rejectsBadInput() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Mem.floats(arena, 10), b = Mem.floats(arena, 9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.gelu(a, b, 0, 10));
            assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("operand out"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Activation.silu(a, a, 5, 3));
            assertTrue(e.getMessage().contains("silu") && e.getMessage().contains("[5, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Activation.softmax(a, a, 4, 0, 3));
            assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("operand x"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Activation.softmax(a, a, 0, 0, 1));
            assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("dim"), e.getMessage());
        }
    }
}
