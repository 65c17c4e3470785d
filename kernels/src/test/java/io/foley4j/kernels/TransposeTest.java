package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("simd")
class TransposeTest {

    /** Vector = scalar bit for bit (a copy, or one product per element), strided, with row and column tails. */
    @Test
    void vectorMatchesScalar() {
        int[][] cases = { // rows, cols, srcStride, dstStride, srcOff, dstOff
            {1, 1, 1, 1, 0, 0}, {4, 16, 16, 4, 0, 0}, {128, 32, 384, 128, 64, 0}, {32, 128, 128, 384, 0, 96},
            {7, 33, 40, 9, 3, 5}, {13, 70, 70, 13, 0, 0}, {4, 3, 5, 4, 0, 0}, {197, 64, 768, 197, 128, 0},
        };
        try (Arena arena = Arena.ofConfined()) {
            for (int[] c : cases) {
                int rows = c[0], cols = c[1];
                long ss = c[2], ds = c[3], so = c[4], dOff = c[5];
                MemorySegment src = Rand.segment(arena, rows + cols, (int) (so + rows * ss), 1f);
                MemorySegment scale = Rand.segment(arena, 3, cols, 2f);
                for (MemorySegment sc : new MemorySegment[] {null, scale}) {
                    int size = (int) (dOff + cols * ds);
                    MemorySegment vec = Mem.floats(arena, size), ref = Mem.floats(arena, size);
                    vec.fill((byte) 0x7f);
                    ref.fill((byte) 0x7f); // untouched elements must stay the same in both
                    Transpose.transposeVector(src, so, ss, vec, dOff, ds, rows, cols, sc);
                    Transpose.transposeScalar(src, so, ss, ref, dOff, ds, rows, cols, sc);
                    assertArrayEquals(Mem.toFloats(ref), Mem.toFloats(vec), rows + "x" + cols + " strides " + ss + "/"
                            + ds + (sc == null ? "" : " scaled") + " at " + Simd.describe());
                    // and the reference is a transpose
                    for (int r = 0; r < rows; r++) {
                        for (int k = 0; k < cols; k++) {
                            float want = Mem.getF32(src, so + r * ss + k) * (sc == null ? 1f : Mem.getF32(sc, k));
                            if (Mem.getF32(ref, dOff + k * ds + r) != want) {
                                throw new AssertionError("transposeScalar " + r + "," + k);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void badOperandsAreNamed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Mem.floats(arena, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Transpose.transpose(a, 0, 4, a, 0, 2, 4, 4, null));
            assertTrue(e.getMessage().contains("transpose") && e.getMessage().contains("dstStride"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Transpose.transpose(a, 0, 8, Mem.floats(arena, 64), 0, 16, 4, 8, null));
            assertTrue(e.getMessage().contains("src"), e.getMessage());
        }
    }
}
