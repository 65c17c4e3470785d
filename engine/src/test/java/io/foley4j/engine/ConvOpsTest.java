package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * ConvOps vs a double-precision reference (max relative error, floor 1, tolerance {@value #TOL}), and the
 * 2-thread split vs 1 thread within {@value #SAME} (each channel runs the same code, but Vector API lane reductions
 * may round differently before and after C2 compiles a method, so not bit for bit).
 */
class ConvOpsTest {
    static final double SAME = 1e-6;
    static final double TOL = 2e-6;
    static final WorkerPool ONE = new WorkerPool(1), TWO = new WorkerPool(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    static float[] floats(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }

    /** out[b, co, p], channels first, straight from the definition. */
    static float[] conv1dRef(float[] x, int batch, float[] w, float[] bias, Conv.Geometry1d g) {
        int lout = g.lout(), cpg = g.cinPerGroup();
        float[] out = new float[batch * g.cout() * lout];
        for (int b = 0; b < batch; b++)
            for (int co = 0; co < g.cout(); co++)
                for (int p = 0; p < lout; p++) {
                    double acc = bias[co];
                    for (int ci = 0; ci < cpg; ci++)
                        for (int k = 0; k < g.kw(); k++) {
                            int pos = p * g.stride() + k * g.dilation() - g.padLeft();
                            int xc = co / g.coutPerGroup() * cpg + ci;
                            if (pos >= 0 && pos < g.len())
                                acc += (double) w[(co * cpg + ci) * g.kw() + k] * x[(b * g.cin() + xc) * g.len() + pos];
                        }
                    out[(b * g.cout() + co) * lout + p] = (float) acc;
                }
        return out;
    }

    @Test
    void conv1dBatchedAndSplitMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            for (ConvOps.Conv1dParams p : new ConvOps.Conv1dParams[] {
                    ConvOps.Conv1dParams.of(1, 1), ConvOps.Conv1dParams.of(2, 1),
                    new ConvOps.Conv1dParams(1, 6, 0, 3, 4), new ConvOps.Conv1dParams(3, 2, 2, 1, 64)}) {
                int batch = 2, cin = 64, len = 203, cout = 128, kw = 3;
                float[] xf = floats(1, batch * cin * len, 1), wf = floats(2, cout * cin / p.groups() * kw, 0.1);
                float[] bf = floats(3, cout, 0.5);
                Tensor x = Tensor.ofFloats(arena, xf, batch, cin, len);
                Tensor w = Tensor.ofFloats(arena, wf, cout, cin / p.groups(), kw);
                Tensor b = Tensor.ofFloats(arena, bf, cout);
                Conv.Geometry1d g = ConvOps.geometry1d(x, w, p);
                MemorySegment scratch = Mem.floats(arena, ConvOps.conv1dScratchFloats(g, 2));
                Tensor o1 = Tensor.allocate(arena, DType.F32, batch, cout, g.lout());
                Tensor o2 = Tensor.allocate(arena, DType.F32, batch, cout, g.lout());
                ConvOps.conv1d(ONE, x, w, b, p, o1, scratch);
                ConvOps.conv1d(TWO, x, w, b, p, o2, scratch);
                Diff d = Diff.of(o1.toFloats(), conv1dRef(xf, batch, wf, bf, g), 1.0);
                assertTrue(d.maxRel() <= TOL, p + ": " + d);
                Diff split = Diff.of(o2.toFloats(), o1.toFloats());
                assertTrue(split.maxAbs() <= SAME, p + ": 2 threads vs 1: " + split);
            }
        }
    }

    @Test
    void conv2dPatchEmbeddingMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            int batch = 2, cin = 3, hw = 224, cout = 48, patch = 16;
            float[] xf = floats(4, batch * cin * hw * hw, 1), wf = floats(5, cout * cin * patch * patch, 0.036);
            float[] bf = floats(6, cout, 0.5);
            Tensor x = Tensor.ofFloats(arena, xf, batch, cin, hw, hw);
            Tensor w = Tensor.ofFloats(arena, wf, cout, cin, patch, patch);
            Tensor b = Tensor.ofFloats(arena, bf, cout);
            ConvOps.Conv2dParams p = ConvOps.Conv2dParams.patch(patch, patch);
            Conv.Geometry2d g = ConvOps.geometry2d(x, w, p);
            assertEquals(196, g.patches());
            MemorySegment scratch = Mem.floats(arena, ConvOps.conv2dScratchFloats(g));
            Tensor o1 = Tensor.allocate(arena, DType.F32, batch, cout, 14, 14);
            Tensor o2 = Tensor.allocate(arena, DType.F32, batch, cout, 14, 14);
            ConvOps.conv2d(ONE, x, w, b, p, o1, scratch);
            ConvOps.conv2d(TWO, x, w, b, p, o2, scratch);
            // reference: patch (oh, ow) of item bi is the dot of weight row co with the 3x16x16 block at (16 oh, 16 ow)
            float[] ref = new float[batch * cout * 196];
            for (int bi = 0; bi < batch; bi++)
                for (int co = 0; co < cout; co++)
                    for (int oh = 0; oh < 14; oh++)
                        for (int ow = 0; ow < 14; ow++) {
                            double acc = bf[co];
                            for (int ci = 0; ci < cin; ci++)
                                for (int i = 0; i < patch; i++)
                                    for (int j = 0; j < patch; j++)
                                        acc += (double) wf[((co * cin + ci) * patch + i) * patch + j]
                                                * xf[((bi * cin + ci) * hw + oh * patch + i) * hw + ow * patch + j];
                            ref[((bi * cout + co) * 14 + oh) * 14 + ow] = (float) acc;
                        }
            Diff d = Diff.of(o1.toFloats(), ref, 1.0);
            assertTrue(d.maxRel() <= TOL, "patch embedding: " + d);
            Diff split = Diff.of(o2.toFloats(), o1.toFloats());
            assertTrue(split.maxAbs() <= SAME, "2 threads vs 1: " + split);
        }
    }

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badInputIsRejected() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 4, 10), w = Tensor.allocate(arena, DType.F32, 6, 2, 3);
            Tensor out = Tensor.allocate(arena, DType.F32, 6, 10), b = Tensor.allocate(arena, DType.F32, 6);
            MemorySegment s = Mem.floats(arena, 100);
            ConvOps.Conv1dParams g2 = new ConvOps.Conv1dParams(1, 1, 1, 1, 2);
            ConvOps.conv1d(ONE, x, w, b, g2, out, s); // the valid call the failures below perturb
            fails(() -> ConvOps.conv1d(ONE, x, w, b, ConvOps.Conv1dParams.of(1, 1), out, s), "conv1d", "Cin/groups");
            fails(() -> ConvOps.conv1d(ONE, x, w, b, new ConvOps.Conv1dParams(0, 1, 1, 1, 2), out, s), "conv1d", "stride");
            fails(() -> ConvOps.conv1d(ONE, x, Tensor.allocate(arena, DType.F32, 6, 1, 3), b,
                    new ConvOps.Conv1dParams(1, 1, 1, 1, 3), out, s), "conv1d", "groups 3");
            fails(() -> ConvOps.conv1d(ONE, x, w, Tensor.allocate(arena, DType.F32, 5), g2, out, s), "conv1d", "bias");
            fails(() -> ConvOps.conv1d(ONE, x, w, b, g2, Tensor.allocate(arena, DType.F32, 6, 9), s), "conv1d", "out", "[6, 10]");
            fails(() -> ConvOps.conv1d(ONE, x, w, b, g2, out, Mem.floats(arena, 5)), "conv1d", "scratch");
            fails(() -> ConvOps.conv1d(ONE, Tensor.allocate(arena, DType.F16, 4, 10), w, b, g2, out, s), "conv1d", "F32");
            fails(() -> ConvOps.conv1d(ONE, Tensor.allocate(arena, DType.F32, 40), w, b, g2, out, s), "conv1d", "[Cin, L]");
            Tensor img = Tensor.allocate(arena, DType.F32, 3, 32, 32), w2 = Tensor.allocate(arena, DType.F32, 8, 4, 16, 16);
            fails(() -> ConvOps.conv2d(ONE, img, w2, null, ConvOps.Conv2dParams.patch(16, 16),
                    Tensor.allocate(arena, DType.F32, 8, 2, 2), Mem.floats(arena, 4 * 768)), "conv2d", "Cin = 3");
        }
    }
}
