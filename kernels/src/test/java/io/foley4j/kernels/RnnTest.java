package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SIMD vs scalar for the RNN kernels at the JVM's vector width. Metric: max absolute error (outputs are O(1));
 * tolerance {@value #TOL} (summation order and the vector exp/tanh differ from the scalar ones by a few ulp).
 */
@Tag("simd")
class RnnTest {
    static final double TOL = 2e-6;
    static final int[] SIZES = {1, 3, 7, 16, 17, 33, 64, 130};

    @Test
    void f16LoadIsExactForEveryHalf() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2L * 65536);
            for (int i = 0; i < 65536; i++) s.set(Mem.I16, 2L * i, (short) i);
            int lanes = Simd.F.length();
            for (int i = 0; i < 65536; i += lanes) {
                float[] got = Rnn.loadF16(s, 2L * i).toArray();
                for (int l = 0; l < lanes; l++) {
                    float want = Float.float16ToFloat((short) (i + l));
                    if (Float.isNaN(want)) {
                        assertTrue(Float.isNaN(got[l]), "half 0x" + Integer.toHexString(i + l) + " must be NaN");
                    } else {
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[l]),
                                "half 0x" + Integer.toHexString(i + l) + ": got " + got[l] + " want " + want);
                    }
                }
            }
        }
    }

    @Test
    void projectVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 0;
            for (int in : SIZES) {
                for (int rows : new int[] {1, 5, 12, 37}) {
                    seed++;
                    int steps = 3;
                    float[] wf = Rand.floats(seed, rows * in, (float) (1 / Math.sqrt(in)));
                    MemorySegment x = Rand.segment(arena, seed + 1, steps * in, 1f);
                    MemorySegment b1 = Rand.segment(arena, seed + 2, rows, 0.3f), b2 = Rand.segment(arena, seed + 3, rows, 0.3f);
                    int n = steps * rows, split = Math.min(rows, rows / 2 + 1);
                    for (boolean half : new boolean[] {false, true}) {
                        MemorySegment w = half ? LstmCase.f16(arena, wf) : Mem.floats(arena, wf);
                        MemorySegment s = Mem.floats(arena, n), v = Mem.floats(arena, n);
                        if (half) {
                            Rnn.projectF16Scalar(x, steps, in, w, rows, b1, b2, s, 0, rows);
                            Rnn.projectF16Vector(x, steps, in, w, rows, b1, b2, v, split, rows);
                            Rnn.projectF16Vector(x, steps, in, w, rows, b1, b2, v, 0, split);
                        } else {
                            Rnn.projectF32Scalar(x, steps, in, w, rows, b1, b2, s, 0, rows);
                            Rnn.projectF32Vector(x, steps, in, w, rows, b1, b2, v, 0, split);
                            Rnn.projectF32Vector(x, steps, in, w, rows, b1, b2, v, split, rows);
                        }
                        Diff d = Diff.of(Mem.toFloats(v, n), Mem.toFloats(s, n), 1.0);
                        assertTrue(d.maxAbs() <= TOL, "project" + (half ? "F16" : "F32") + " in=" + in + " rows="
                                + rows + " at " + Simd.describe() + ": " + d);
                    }
                }
            }
        }
    }

    @Test
    void lstmCellVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 100;
            for (int hidden : SIZES) {
                for (boolean half : new boolean[] {false, true}) {
                    LstmCase k = new LstmCase(seed++, hidden, 19, 4);
                    float[] s, v;
                    if (half) {
                        s = k.run(arena, true, Rnn::projectF16Scalar, Rnn::lstmCellF16Scalar);
                        v = k.run(arena, true, Rnn::projectF16Vector, Rnn::lstmCellF16Vector, hidden / 3, hidden / 2);
                    } else {
                        s = k.run(arena, false, Rnn::projectF32Scalar, Rnn::lstmCellF32Scalar);
                        v = k.run(arena, false, Rnn::projectF32Vector, Rnn::lstmCellF32Vector, hidden / 3, hidden / 2);
                    }
                    Diff d = Diff.of(v, s, 1.0);
                    assertTrue(d.maxAbs() <= TOL, "lstmCell" + (half ? "F16" : "F32") + " hidden=" + hidden + " at "
                            + Simd.describe() + ": " + d);
                }
            }
        }
    }
}
