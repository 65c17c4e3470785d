package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * LSTM kernels over several steps vs the double-precision equations. Metric: max absolute error of h (|h| < 1).
 * F32 weights: {@value #TOL_F32}. F16 weights: {@value #TOL_F32} against the reference run with the same
 * FP16-rounded weights (only FP32 accumulation differs), and {@value #TOL_F16_VS_F32} against the FP32 weights
 * (the FP16 rounding of weights, relative 2^-11 each, propagated through the recurrence).
 */
class RnnReferenceTest {
    static final double TOL_F32 = 1e-5;
    static final double TOL_F16_VS_F32 = 5e-4; // measured up to 1.3e-4 (hidden 1, 6 steps)

    private static float[] ref(LstmCase k, boolean roundedWeights) {
        return ConvCases.toFloat(roundedWeights ? k.reference(LstmCase.roundF16(k.wih), LstmCase.roundF16(k.whh))
                : k.reference(k.wih, k.whh));
    }

    @Test
    void f32WeightsMatchDoubleReference() {
        try (Arena arena = Arena.ofConfined()) {
            for (int hidden : new int[] {1, 5, 37, 128}) {
                LstmCase k = new LstmCase(hidden, hidden, 23, 6);
                float[] ref = ref(k, false);
                Diff ds = Diff.of(k.run(arena, false, Rnn::projectF32Scalar, Rnn::lstmCellF32Scalar), ref, 1.0);
                Diff d = Diff.of(k.run(arena, false, Rnn::projectF32, Rnn::lstmCellF32, hidden / 2), ref, 1.0);
                assertTrue(ds.maxAbs() <= TOL_F32, "scalar hidden=" + hidden + ": " + ds);
                assertTrue(d.maxAbs() <= TOL_F32, "dispatch (" + Simd.describe() + ") hidden=" + hidden + ": " + d);
            }
        }
    }

    @Test
    void f16WeightsMatchReferenceWithTheSameRounding() {
        try (Arena arena = Arena.ofConfined()) {
            for (int hidden : new int[] {1, 5, 37, 128}) {
                LstmCase k = new LstmCase(hidden + 1000, hidden, 23, 6);
                float[] rounded = ref(k, true), exact = ref(k, false);
                float[] s = k.run(arena, true, Rnn::projectF16Scalar, Rnn::lstmCellF16Scalar);
                float[] v = k.run(arena, true, Rnn::projectF16, Rnn::lstmCellF16, hidden / 2);
                Diff ds = Diff.of(s, rounded, 1.0), d = Diff.of(v, rounded, 1.0), de = Diff.of(v, exact, 1.0);
                assertTrue(ds.maxAbs() <= TOL_F32, "scalar F16 hidden=" + hidden + ": " + ds);
                assertTrue(d.maxAbs() <= TOL_F32, "dispatch F16 (" + Simd.describe() + ") hidden=" + hidden + ": " + d);
                assertTrue(de.maxAbs() <= TOL_F16_VS_F32, "F16 vs F32 weights hidden=" + hidden + ": " + de);
            }
        }
    }

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            int hid = 8;
            MemorySegment gx = Mem.floats(arena, 32), w = Mem.floats(arena, 32 * 8), h = Mem.floats(arena, 8);
            MemorySegment c = Mem.floats(arena, 8), hOut = Mem.floats(arena, 8), wh = arena.allocate(2 * 32 * 8);
            fails(() -> Rnn.lstmCellF32(gx, w, h, c, h, gx, hid, 0, hid), "lstmCellF32", "hOut overlaps h");
            fails(() -> Rnn.lstmCellF32(gx, w, h, c, hOut, gx, hid, 0, 9), "lstmCellF32", "hidden unit", "[0, 9)");
            fails(() -> Rnn.lstmCellF32(Mem.floats(arena, 31), w, h, c, hOut, gx, hid, 0, hid), "lstmCellF32", "gx [32]");
            fails(() -> Rnn.lstmCellF32(gx, Mem.floats(arena, 255), h, c, hOut, gx, hid, 0, hid), "whh [32, 8]");
            fails(() -> Rnn.lstmCellF16(gx, arena.allocate(511), h, c, hOut, gx, hid, 0, hid), "lstmCellF16", "whh");
            fails(() -> Rnn.lstmCellF16(gx, wh, h, Mem.floats(arena, 7), hOut, gx, hid, 0, hid), "c [8]");
            fails(() -> Rnn.lstmCellF32(gx, w, h, c, hOut, gx, 0, 0, 0), "lstmCellF32", "hidden");
            fails(() -> Rnn.projectF32(Mem.floats(arena, 10), 2, 6, w, 4, null, null, gx, 0, 4), "projectF32", "x [2, 6]");
            fails(() -> Rnn.projectF16(h, 1, 8, wh, 32, null, null, Mem.floats(arena, 31), 0, 32), "projectF16", "out [1, 32]");
        }
    }
}
