package io.foley4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link VitOps#attention} (per-head GEMMs, keys padded to whole panels) vs a float64 loop of softmax(q k^T s) v,
 * at every vector width (the panel width, hence the padding, depends on it). Token counts below, at and across a
 * panel, head sizes with tails, 1 and 2 threads, several frames. Metric: max abs error <= 2e-5 (values ~ 1).
 */
@Tag("simd")
class VitOpsTest {
    static final double TOLERANCE = 2e-5;
    static final WorkerPool ONE = new WorkerPool(1), TWO = new WorkerPool(2);

    @AfterAll
    static void closePools() {
        ONE.close();
        TWO.close();
    }

    @Test
    void attentionMatchesFloat64Reference() {
        for (int t : new int[] {1, 13, 64, 70}) {
            for (int hd : new int[] {7, 16, 64}) {
                for (WorkerPool pool : new WorkerPool[] {ONE, TWO}) {
                    check(pool, 2, t, 3, hd, 1000L * t + hd);
                }
            }
        }
        check(TWO, 1, 197, 2, 64, 7); // ViT-B/16 tokens
    }

    @Test
    void scratchPaddingStaysZeroAcrossCalls() {
        // a slot reused for a second, different input must give the same result as a fresh slot
        try (Arena arena = Arena.ofShared()) {
            int b = 2, t = 37, heads = 2, hd = 9, d = heads * hd;
            MemorySegment scratch = Mem.floats(arena, 2 * VitOps.attentionFloats(t, hd));
            MemorySegment q = random(arena, 1, b * t * d), k = random(arena, 2, b * t * d), v = random(arena, 3, b * t * d);
            MemorySegment out = Mem.floats(arena, (long) b * t * d);
            VitOps.attention(TWO, k, q, v, out, b, t, heads, hd, 0.3f, scratch, 2);
            VitOps.attention(TWO, q, k, v, out, b, t, heads, hd, 0.3f, scratch, 2);
            Diff diff = Diff.of(floats(out, b * t * d), reference(q, k, v, b, t, heads, hd, 0.3f));
            assertTrue(diff.maxAbs() <= TOLERANCE, "second call on a used slot: " + diff);
        }
    }

    private static void check(WorkerPool pool, int b, int t, int heads, int hd, long seed) {
        try (Arena arena = Arena.ofShared()) {
            int d = heads * hd;
            float scale = (float) (1 / Math.sqrt(hd));
            MemorySegment q = random(arena, seed, b * t * d), k = random(arena, seed + 1, b * t * d);
            MemorySegment v = random(arena, seed + 2, b * t * d), out = Mem.floats(arena, (long) b * t * d);
            MemorySegment scratch = Mem.floats(arena, pool.threads() * VitOps.attentionFloats(t, hd));
            VitOps.attention(pool, q, k, v, out, b, t, heads, hd, scale, scratch, pool.threads());
            Diff diff = Diff.of(floats(out, b * t * d), reference(q, k, v, b, t, heads, hd, scale));
            assertTrue(diff.maxAbs() <= TOLERANCE, "attention b=" + b + " t=" + t + " heads=" + heads + " hd=" + hd
                    + " threads=" + pool.threads() + ": " + diff);
        }
    }

    /** out[f, i, h*hd + j] = sum_p softmax_p(s q_i . k_p) v[p, j], per frame f and head h, in float64. */
    private static float[] reference(MemorySegment q, MemorySegment k, MemorySegment v, int b, int t, int heads,
                                     int hd, float scale) {
        int d = heads * hd;
        float[] out = new float[b * t * d];
        double[] s = new double[t];
        for (int f = 0; f < b; f++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int p = 0; p < t; p++) {
                        double dot = 0;
                        for (int j = 0; j < hd; j++) {
                            dot += (double) get(q, (f * t + i) * d + h * hd + j) * get(k, (f * t + p) * d + h * hd + j);
                        }
                        s[p] = dot * scale;
                        max = Math.max(max, s[p]);
                    }
                    for (int p = 0; p < t; p++) {
                        s[p] = Math.exp(s[p] - max);
                        sum += s[p];
                    }
                    for (int j = 0; j < hd; j++) {
                        double acc = 0;
                        for (int p = 0; p < t; p++) {
                            acc += s[p] * get(v, (f * t + p) * d + h * hd + j);
                        }
                        out[(f * t + i) * d + h * hd + j] = (float) (acc / sum);
                    }
                }
            }
        }
        return out;
    }

    private static float get(MemorySegment m, long i) {
        return Mem.getF32(m, i);
    }

    private static float[] floats(MemorySegment m, int n) {
        float[] out = new float[n];
        MemorySegment.copy(m, Mem.F32, 0, out, 0, n);
        return out;
    }

    private static MemorySegment random(Arena arena, long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
        MemorySegment m = Mem.floats(arena, n);
        MemorySegment.copy(v, 0, m, Mem.F32, 0, n);
        return m;
    }
}
