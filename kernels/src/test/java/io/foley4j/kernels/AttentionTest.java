package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Streaming attention vs a naive double-precision reference that materializes the scores. Metric: absolute error
 * against the output scale (Diff with floor 1; values are O(1)).
 */
class AttentionTest {

    enum Mask { NONE, PADDING, FINITE }

    record Case(int sq, int sk, int heads, int kvHeads, int hd, Mask mask, boolean causal) {
        Attention.Dims dims() { return new Attention.Dims(sq, sk, heads, kvHeads, hd); }
    }

    private static final List<Case> CASES = List.of(
            new Case(1, 1, 1, 1, 1, Mask.NONE, false),
            new Case(5, 5, 2, 2, 7, Mask.PADDING, false),
            new Case(17, 17, 3, 3, 16, Mask.NONE, true),
            new Case(7, 150, 4, 2, 33, Mask.PADDING, false),   // GQA, Sk > BLOCK and not a multiple of it
            new Case(150, 150, 2, 1, 64, Mask.NONE, true),     // MQA, causal over several blocks
            new Case(3, 130, 4, 4, 17, Mask.PADDING, true),    // Sq < Sk: queries aligned to the last keys
            new Case(9, 4, 2, 2, 8, Mask.NONE, true),          // Sq > Sk: the first queries see no key
            new Case(20, 70, 6, 3, 32, Mask.FINITE, false),    // Hugging Face style finite mask (-3.4e38)
            new Case(12, 100, 2, 2, 64, Mask.PADDING, false),  // 8-key reduction tree (hd 4 or 8 vectors) with -inf keys
            new Case(6, 45, 2, 2, 16, Mask.NONE, true));       // hd of 1 or 2 vectors, groups of 8 keys and their tails

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** Additive key mask [sk]: PADDING drops the last third of the keys (and key 1) with -inf, FINITE likewise with -3.4e38. */
    private static float[] mask(Case c) {
        if (c.mask == Mask.NONE) return null;
        float drop = c.mask == Mask.PADDING ? NEG_INF : -3.4e38f;
        float[] m = new float[c.sk];
        for (int j = 0; j < c.sk; j++) {
            if (j >= c.sk - c.sk / 3 || (j == 1 && c.sk > 2)) m[j] = drop;
        }
        return m;
    }

    /** Naive reference: scores [sq, sk] per head in double, softmax, times V; a query with no visible key gives 0. */
    static float[] reference(float[] q, float[] k, float[] v, float[] mask, boolean causal, double scale, Case c) {
        int qw = c.heads * c.hd, kw = c.kvHeads * c.hd, group = c.heads / c.kvHeads;
        float[] out = new float[c.sq * qw];
        double[] s = new double[c.sk];
        for (int h = 0; h < c.heads; h++) {
            int g = h / group;
            for (int i = 0; i < c.sq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c.sk; j++) {
                    double dot = 0;
                    for (int d = 0; d < c.hd; d++) dot += (double) q[i * qw + h * c.hd + d] * k[j * kw + g * c.hd + d];
                    s[j] = dot * scale + (mask == null ? 0 : mask[j]);
                    if (causal && j > i + c.sk - c.sq) s[j] = Double.NEGATIVE_INFINITY;
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) continue;
                double sum = 0;
                for (int j = 0; j < c.sk; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int d = 0; d < c.hd; d++) {
                    double a = 0;
                    for (int j = 0; j < c.sk; j++) a += s[j] * v[j * kw + g * c.hd + d];
                    out[i * qw + h * c.hd + d] = (float) (a / sum);
                }
            }
        }
        return out;
    }

    interface Kernel {
        void run(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, boolean causal, float scale,
                 MemorySegment out, Attention.Dims d, MemorySegment scratch, int start, int end);
    }

    private static float[] run(Kernel kernel, Case c, float[] q, float[] k, float[] v, float[] mask, float scale) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Mem.floats(arena, (long) c.sq * c.heads * c.hd);
            MemorySegment scratch = Mem.floats(arena, Attention.scratchFloats(c.hd));
            scratch.fill((byte) 0x7f); // garbage: the kernel must not depend on it
            kernel.run(Mem.floats(arena, q), Mem.floats(arena, k), Mem.floats(arena, v),
                    mask == null ? null : Mem.floats(arena, mask), c.causal, scale, out, c.dims(), scratch,
                    0, c.dims().items());
            return Mem.toFloats(out);
        }
    }

    /** Runs every case through {@code kernel}, comparing with the double reference and (optionally) the scalar path. */
    private static void check(String name, Kernel kernel, double tolRef, boolean vsScalar, double tolScalar) {
        for (Case c : CASES) {
            float[] q = Rand.floats(c.sq * 7L + 1, c.sq * c.heads * c.hd, 2f);
            float[] k = Rand.floats(c.sk * 7L + 2, c.sk * c.kvHeads * c.hd, 2f);
            float[] v = Rand.floats(c.sk * 7L + 3, c.sk * c.kvHeads * c.hd, 1f);
            float[] m = mask(c);
            float scale = (float) (1 / Math.sqrt(c.hd));
            float[] got = run(kernel, c, q, k, v, m, scale);
            Diff d = Diff.of(got, reference(q, k, v, m, c.causal, scale, c), 1.0);
            assertTrue(d.maxAbs() <= tolRef, name + " vs double reference, " + c + " at " + Simd.describe() + ": " + d);
            if (vsScalar) {
                Diff ds = Diff.of(got, run(Attention::attentionScalar, c, q, k, v, m, scale), 1.0);
                assertTrue(ds.maxAbs() <= tolScalar, name + " vs scalar, " + c + " at " + Simd.describe() + ": " + ds);
            }
        }
    }

    @Test
    void scalarMatchesDoubleReference() {
        check("attentionScalar", Attention::attentionScalar, 2e-6, false, 0);
    }

    @Tag("simd")
    @Test
    void vectorMatchesScalarAndReference() {
        check("attentionVector", Attention::attentionVector, 2e-6, true, 2e-6);
    }

    @Tag("simd")
    @Test
    void allPaddedKeysGiveZeros() {
        Case c = new Case(4, 70, 2, 2, 16, Mask.PADDING, false);
        float[] m = new float[c.sk];
        java.util.Arrays.fill(m, NEG_INF);
        float[] q = Rand.floats(1, c.sq * c.heads * c.hd, 1f), kv = Rand.floats(2, c.sk * c.kvHeads * c.hd, 1f);
        for (Kernel kernel : new Kernel[] {Attention::attentionScalar, Attention::attentionVector}) {
            float[] got = run(kernel, c, q, kv, kv, m, 0.25f);
            for (int i = 0; i < got.length; i++) {
                assertEquals(0f, got[i], "all keys masked: output " + i + " is defined as 0");
            }
        }
    }

    @Test
    void computesOnlyItsItemRange() {
        Case c = new Case(6, 10, 2, 2, 8, Mask.NONE, false);
        Attention.Dims d = c.dims();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = Rand.segment(arena, 1, c.sq * c.heads * c.hd, 1f);
            MemorySegment kv = Rand.segment(arena, 2, c.sk * c.heads * c.hd, 1f);
            MemorySegment out = Mem.floats(arena, c.sq * c.heads * c.hd);
            MemorySegment scratch = Mem.floats(arena, Attention.scratchFloats(c.hd));
            Attention.attention(q, kv, kv, null, false, 0.3f, out, d, scratch, 7, 8); // head 1, query 1
            float[] o = Mem.toFloats(out);
            int qw = c.heads * c.hd;
            for (int i = 0; i < o.length; i++) {
                boolean mine = i / qw == 1 && (i % qw) / c.hd == 1;
                assertEquals(mine, o[i] != 0f, "element " + i + " written iff in item 7 (head 1, query 1)");
            }
        }
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Attention.Dims(4, 4, 6, 4, 8));
        assertTrue(e.getMessage().contains("attention") && e.getMessage().contains("kvHeads 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Attention.Dims(4, 4, 2, 2, 0));
        Attention.Dims d = new Attention.Dims(4, 5, 2, 1, 8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = Mem.floats(arena, 4 * 16), k = Mem.floats(arena, 5 * 8), kShort = Mem.floats(arena, 4 * 8);
            MemorySegment s = Mem.floats(arena, Attention.scratchFloats(8));
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.attention(q, kShort, k, null, false, 1f, q, d, s, 0, 8));
            assertTrue(e.getMessage().contains("attention") && e.getMessage().contains("k [5, 8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.attention(q, k, k, null, false, 1f, q, d, s, 0, 9));
            assertTrue(e.getMessage().contains("item range [0, 9)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.attention(q, k, k, null, false, 1f, q, d, Mem.floats(arena, 8), 0, 8));
            assertTrue(e.getMessage().contains("scratch"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.attention(q, k, k, Mem.floats(arena, 4), false, 1f, q, d, s, 0, 8));
            assertTrue(e.getMessage().contains("keyMask [5]"), e.getMessage());
        }
    }
}
