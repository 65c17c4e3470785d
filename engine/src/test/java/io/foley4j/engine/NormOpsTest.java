package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Norm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ops split rows over the pool: results must equal one kernel call over all rows, bit for bit. */
class NormOpsTest {

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
        return a;
    }

    @Test
    void layerNormSplitEqualsOneCall() {
        int rows = 300, dim = 387; // 116k elements: several threads
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(3)) {
            Tensor x = Tensor.ofFloats(arena, random(1, 2 * rows * dim), 2, rows, dim);
            Tensor g = Tensor.ofFloats(arena, random(2, dim), dim), b = Tensor.ofFloats(arena, random(3, dim), dim);
            Tensor out = Tensor.allocate(arena, DType.F32, 2, rows, dim);
            NormOps.layerNorm(x, g, b, 1e-5f, out, pool);
            MemorySegment ref = arena.allocate(x.numel() * 4);
            Norm.layerNorm(x.data(), g.data(), b.data(), ref, dim, 1e-5f, 0, 2 * rows);
            assertArrayEquals(Tensor.of(DType.F32, ref, 2, rows, dim).toFloats(), out.toFloats());
            NormOps.layerNorm(x, g, null, 1e-5f, out, pool); // no bias
            NormOps.layerNorm(x, g, null, 1e-5f, x, pool); // in place
            assertArrayEquals(out.toFloats(), x.toFloats(), "in place equals out of place");
        }
    }

    @Test
    void rmsNormSplitEqualsOneCall() {
        int rows = 200, dim = 129;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Tensor x = Tensor.ofFloats(arena, random(4, rows * dim), rows, dim);
            Tensor w = Tensor.ofFloats(arena, random(5, dim), dim);
            Tensor out = Tensor.allocate(arena, DType.F32, rows, dim);
            NormOps.rmsNorm(x, w, 1e-6f, out, pool);
            MemorySegment ref = arena.allocate(x.numel() * 4);
            Norm.rmsNorm(x.data(), w.data(), ref, dim, 1e-6f, 0, rows);
            assertArrayEquals(Tensor.of(DType.F32, ref, rows, dim).toFloats(), out.toFloats());
        }
    }

    @Test
    void rejectsBadShapes() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            Tensor x = Tensor.allocate(arena, DType.F32, 2, 384);
            Tensor g = Tensor.allocate(arena, DType.F32, 383);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormOps.layerNorm(x, g, null, 1e-5f, x, pool));
            assertTrue(e.getMessage().equals("layerNorm: gamma must be [384] for x [2, 384], got gamma [383]"), e.getMessage());
            Tensor out = Tensor.allocate(arena, DType.F32, 384, 2);
            e = assertThrows(IllegalArgumentException.class,
                    () -> NormOps.rmsNorm(x, Tensor.allocate(arena, DType.F32, 384), 1e-5f, out, pool));
            assertTrue(e.getMessage().contains("rmsNorm: out [384, 2] must have the shape of x [2, 384]"), e.getMessage());
            Tensor h = Tensor.allocate(arena, DType.F16, 2, 384);
            e = assertThrows(IllegalArgumentException.class,
                    () -> NormOps.rmsNorm(h, Tensor.allocate(arena, DType.F32, 384), 1e-5f, x, pool));
            assertTrue(e.getMessage().contains("rmsNorm: x [2, 384] must be F32, got F16"), e.getMessage());
        }
    }
}
