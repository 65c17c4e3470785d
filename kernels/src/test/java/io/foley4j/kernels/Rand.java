package io.foley4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Deterministic test data: fixed seeds, off-heap buffers like the engine uses. */
final class Rand {
    private Rand() {}

    static float[] floats(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    static MemorySegment segment(Arena arena, long seed, int n, float scale) {
        return Mem.floats(arena, floats(seed, n, scale));
    }

    /** Lengths around every vector width, to exercise tails: 1..3, 15..17, 31..33, 63..65, and larger odd sizes. */
    static final int[] TAIL_SIZES = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 1000, 4099};
}
