package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Attention#expColumns} vector vs scalar (float32 exp polynomial and float sums vs Math.exp and double sums) on
 * widths and key counts with tails, with and without a -inf mask, and a fully masked column. Metric: relative
 * error, Diff floor 1e-30, on e (values in (0, 1]) and on inv.
 */
@Tag("simd")
class AttentionExpTest {

    /** exp within ~2 ulp and a float sum of up to 130 terms against a double one. */
    static final double TOL = 2e-6;

    /** s [keys, width] with tails in the width and in the keys. */
    @Test
    void columnsVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int width : Rand.TAIL_SIZES) {
                if (width > 255) continue;
                for (int rows : new int[] {1, 7, 130}) {
                    for (boolean masked : new boolean[] {false, true}) {
                        float[] s = Rand.floats(width * 31L + rows, rows * width, 8f);
                        if (masked) {
                            for (int j = 0; j < rows; j++) s[j * width + width / 2] = Float.NEGATIVE_INFINITY;
                        }
                        MemorySegment mask = masked ? Mem.floats(arena, mask(rows)) : null;
                        MemorySegment s1 = Mem.floats(arena, s), s2 = Mem.floats(arena, s);
                        MemorySegment i1 = Mem.floats(arena, width), i2 = Mem.floats(arena, width);
                        Attention.expColumnsScalar(s1, rows, width, mask, i1);
                        Attention.expColumnsVector(s2, rows, width, mask, i2);
                        String at = "rows=" + rows + " width=" + width + " masked=" + masked + " at "
                                + Simd.describe() + ": ";
                        Diff d = Diff.of(Mem.toFloats(s2), Mem.toFloats(s1), 1e-30);
                        assertTrue(d.maxRel() <= TOL, "expColumns e " + at + d);
                        Diff di = Diff.of(Mem.toFloats(i2), Mem.toFloats(i1), 1e-30);
                        assertTrue(di.maxRel() <= TOL, "expColumns inv " + at + di);
                        float[] out = Mem.toFloats(s2);
                        if (masked) {
                            assertEquals(0f, Mem.getF32(i2, width / 2), "fully masked column: inv " + at);
                            assertEquals(0f, out[width / 2], "fully masked column: e " + at);
                        }
                        int c = width - 1;
                        double sum = 0;
                        for (int j = 0; j < rows; j++) sum += out[j * width + c];
                        if (!masked || c != width / 2) {
                            assertEquals(1.0, sum * Mem.getF32(i2, c), 1e-5, "last column sums to 1 / inv, " + at);
                        }
                    }
                }
            }
        }
    }

    /** Drops every third key after the first with -inf, adds a finite bias elsewhere. */
    private static float[] mask(int n) {
        float[] m = new float[n];
        for (int j = 0; j < n; j++) m[j] = j % 3 == 2 ? Float.NEGATIVE_INFINITY : (j % 5 == 0 ? -0.75f : 0f);
        return m;
    }

    @Test
    void rejectsBadArguments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = Mem.floats(arena, 12), inv = Mem.floats(arena, 3);
            assertThrows(IllegalArgumentException.class, () -> Attention.expColumns(s, 4, 4, null, inv));
            assertThrows(IllegalArgumentException.class,
                    () -> Attention.expColumns(s, 3, 4, Mem.floats(arena, 2), Mem.floats(arena, 4)));
        }
    }
}
