package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The time-major depthwise conv against the channels-first grouped {@link ConvOps#conv1d} on the transposed input
 * (max relative error, floor 1, tolerance {@value #TOL}); 1 and 2 threads bit for bit (per-row, same code path).
 */
class DepthwiseConvOpsTest {
    static final double TOL = 2e-6;

    @Test
    void matchesGroupedConv1dOnTheTransposedInputAndIsThreadIndependent() {
        try (Arena arena = Arena.ofShared(); WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            int len = 301, ch = 67, kw = 7;
            float[] xf = ConvOpsTest.floats(1, len * ch, 1), wf = ConvOpsTest.floats(2, ch * kw, 0.5);
            float[] bf = ConvOpsTest.floats(3, ch, 0.5);
            Tensor x = Tensor.ofFloats(arena, xf, len, ch), w = Tensor.ofFloats(arena, wf, ch, 1, kw);
            Tensor b = Tensor.ofFloats(arena, bf, ch);
            Tensor taps = ConvOps.depthwiseTaps(arena, w);
            Tensor o1 = Tensor.allocate(arena, DType.F32, len, ch), o2 = Tensor.allocate(arena, DType.F32, len, ch);
            ConvOps.depthwiseConv1dRows(one, x, taps, b, 3, 3, o1);
            ConvOps.depthwiseConv1dRows(two, x, taps, b, 3, 3, o2);

            float[] xt = new float[ch * len]; // [C, L]
            for (int t = 0; t < len; t++) for (int c = 0; c < ch; c++) xt[c * len + t] = xf[t * ch + c];
            ConvOps.Conv1dParams p = new ConvOps.Conv1dParams(1, 3, 3, 1, ch);
            Tensor xc = Tensor.ofFloats(arena, xt, ch, len);
            Conv.Geometry1d g = ConvOps.geometry1d(xc, w, p);
            MemorySegment scratch = Mem.floats(arena, ConvOps.conv1dScratchFloats(g, 1));
            Tensor ref = Tensor.allocate(arena, DType.F32, ch, len);
            ConvOps.conv1d(one, xc, w, b, p, ref, scratch);
            float[] rt = ref.toFloats(), expected = new float[len * ch];
            for (int t = 0; t < len; t++) for (int c = 0; c < ch; c++) expected[t * ch + c] = rt[c * len + t];

            Diff d = Diff.of(o1.toFloats(), expected, 1.0);
            assertTrue(d.maxRel() <= TOL, "depthwise vs grouped conv1d: " + d);
            assertArrayEquals(o1.toFloats(), o2.toFloats(), 0f, "1 vs 2 threads");
        }
    }

    @Test
    void rejectsMismatchedChannelsByName() {
        try (Arena arena = Arena.ofConfined(); WorkerPool one = new WorkerPool(1)) {
            Tensor x = Tensor.allocate(arena, DType.F32, 10, 8), taps = Tensor.allocate(arena, DType.F32, 7, 9);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ConvOps.depthwiseConv1dRows(one, x, taps, null, 3, 3, x));
            assertTrue(e.getMessage().contains("depthwiseConv1d") && e.getMessage().contains("taps [7, 9]"),
                    e.getMessage());
        }
    }
}
