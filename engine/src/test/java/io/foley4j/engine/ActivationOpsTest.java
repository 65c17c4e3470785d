package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Activation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ActivationOpsTest {

    interface Kernel {
        void run(MemorySegment x, MemorySegment out, int from, int to);
    }

    @Test
    void everyFunctionSplitEqualsOneKernelCall() {
        ActivationOps.Fn[] fns = ActivationOps.Fn.values();
        Kernel[] kernels = {Activation::gelu, Activation::geluTanh, Activation::quickGelu, Activation::silu,
            Activation::sigmoid, Activation::tanh};
        assertEquals(fns.length, kernels.length);
        int rows = 97, dim = 1001; // 97k elements: several threads
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(3)) {
            Tensor x = Tensor.ofFloats(arena, NormOpsTest.random(7, rows * dim), rows, dim);
            for (int f = 0; f < fns.length; f++) {
                Tensor out = Tensor.allocate(arena, DType.F32, rows, dim);
                ActivationOps.apply(fns[f], x, out, pool);
                MemorySegment ref = arena.allocate(x.numel() * 4);
                kernels[f].run(x.data(), ref, 0, rows * dim);
                assertArrayEquals(Tensor.of(DType.F32, ref, rows, dim).toFloats(), out.toFloats(), fns[f].name());
            }
        }
    }

    @Test
    void softmaxRowsSumToOne() {
        int rows = 50, dim = 700;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Tensor x = Tensor.ofFloats(arena, NormOpsTest.random(8, rows * dim), 5, 10, dim);
            ActivationOps.softmax(x, x, pool);
            float[] p = x.toFloats();
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int j = 0; j < dim; j++) s += p[r * dim + j];
                assertEquals(1.0, s, 1e-5, "row " + r);
            }
        }
    }

    @Test
    void namesFromConfigs() {
        assertEquals(ActivationOps.Fn.GELU, ActivationOps.Fn.fromName("gelu"));
        assertEquals(ActivationOps.Fn.GELU_TANH, ActivationOps.Fn.fromName("gelu_pytorch_tanh"));
        assertEquals(ActivationOps.Fn.QUICK_GELU, ActivationOps.Fn.fromName("quick_gelu"));
        assertEquals(ActivationOps.Fn.SILU, ActivationOps.Fn.fromName("swish"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationOps.Fn.fromName("relu6"));
        assertTrue(e.getMessage().contains("relu6"), e.getMessage());
    }

    @Test
    void rejectsBadShapes() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            Tensor x = Tensor.allocate(arena, DType.F32, 4, 8), out = Tensor.allocate(arena, DType.F32, 32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ActivationOps.apply(ActivationOps.Fn.GELU, x, out, pool));
            assertTrue(e.getMessage().contains("gelu: out [32] must have the shape of x [4, 8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> ActivationOps.softmax(Tensor.allocate(arena, DType.F32, 3, 0), Tensor.allocate(arena, DType.F32, 3, 0), pool));
            assertTrue(e.getMessage().contains("softmax: x [3, 0]"), e.getMessage());
        }
    }
}
