package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time-major depthwise conv1d: the vector path equals the scalar one bit for bit (same fma order), and the scalar
 * path matches the definition evaluated in double within {@value #TOL} (max abs error, values of order 1).
 */
@Tag("simd")
class DepthwiseConvTest {
    static final double TOL = 1e-5;
    /** (kw, padLeft, padRight): Vocos/ConvNeXt "same" 7, a causal 3, an asymmetric 4, a 1-tap. */
    static final int[][] GEOMETRIES = {{7, 3, 3}, {3, 2, 0}, {4, 1, 2}, {1, 0, 0}};

    static double[] reference(float[] x, float[] taps, float[] bias, int len, int ch, int kw, int padLeft, int lout) {
        double[] out = new double[lout * ch];
        for (int t = 0; t < lout; t++) {
            for (int c = 0; c < ch; c++) {
                double acc = bias == null ? 0 : bias[c];
                for (int k = 0; k < kw; k++) {
                    int s = t + k - padLeft;
                    if (s >= 0 && s < len) acc += (double) taps[k * ch + c] * x[s * ch + c];
                }
                out[t * ch + c] = acc;
            }
        }
        return out;
    }

    @Test
    void vectorEqualsScalarAndScalarMatchesTheDefinition() {
        try (Arena arena = Arena.ofConfined()) {
            for (int ch : new int[] {1, 3, 15, 16, 17, 33, 65, 384}) {
                for (int len : new int[] {1, 2, 9, 40}) {
                    for (int[] g : GEOMETRIES) {
                        int kw = g[0], pl = g[1], pr = g[2];
                        int lout = DepthwiseConv.outLength(len, kw, pl, pr);
                        if (lout <= 0) continue;
                        float[] x = Rand.floats(1, len * ch, 1f), taps = Rand.floats(2, kw * ch, 1f);
                        float[] bias = ch % 2 == 0 ? null : Rand.floats(3, ch, 1f);
                        MemorySegment xs = Mem.floats(arena, x), ts = Mem.floats(arena, taps);
                        MemorySegment bs = bias == null ? null : Mem.floats(arena, bias);
                        MemorySegment o1 = Mem.floats(arena, (long) lout * ch), o2 = Mem.floats(arena, (long) lout * ch);
                        DepthwiseConv.conv1dRowsF32Scalar(xs, ts, bs, o1, len, ch, kw, pl, pr, 0, lout);
                        // two row ranges, so a range start inside the sequence is exercised
                        int mid = lout / 2;
                        DepthwiseConv.conv1dRowsF32Vector(xs, ts, bs, o2, len, ch, kw, pl, pr, 0, mid);
                        DepthwiseConv.conv1dRowsF32Vector(xs, ts, bs, o2, len, ch, kw, pl, pr, mid, lout);
                        String where = "ch=" + ch + " len=" + len + " kw=" + kw + " pad=" + pl + "," + pr + " at "
                                + Simd.describe();
                        float[] scalar = Mem.toFloats(o1, (long) lout * ch);
                        Diff exact = Diff.of(Mem.toFloats(o2, (long) lout * ch), scalar);
                        assertEquals(0.0, exact.maxAbs(), where + ": " + exact);
                        double[] ref = reference(x, taps, bias, len, ch, kw, pl, lout);
                        float[] reff = new float[ref.length];
                        for (int i = 0; i < ref.length; i++) reff[i] = (float) ref[i];
                        Diff d = Diff.of(scalar, reff);
                        assertTrue(d.maxAbs() < TOL, where + ": " + d);
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadSizesNamingTheOp() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = Mem.floats(arena, 40), taps = Mem.floats(arena, 5 * 4), out = Mem.floats(arena, 40);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> DepthwiseConv.conv1dRowsF32(x, taps, null, out, 10, 4, 7, 3, 3, 0, 10));
            assertTrue(e.getMessage().contains("depthwiseConv1d") && e.getMessage().contains("operand taps"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> DepthwiseConv.conv1dRowsF32(x, x, null, out, 10, 4, 7, 3, 3, 0, 11));
            assertTrue(e.getMessage().contains("output row range [0, 11)"), e.getMessage());
        }
    }
}
