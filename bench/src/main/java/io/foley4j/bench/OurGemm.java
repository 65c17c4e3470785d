package io.foley4j.bench;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Our GEMM through the engine's {@link LinearOps}, as a model runs it: weights converted once (packed F32, or
 * INT8 with one scale per row), operands in a shared arena (the pool's threads read them), scratch made once.
 */
final class OurGemm implements Gemm {
    private final String name;
    private final Arena arena;
    private final Tensor x, y;
    private final int m, n, k;
    private final Runnable op;

    private OurGemm(String name, Arena arena, int m, int k, int n, java.util.function.Function<OurGemm, Runnable> op) {
        this.name = name;
        this.arena = arena;
        this.m = m;
        this.n = n;
        this.k = k;
        this.x = Tensor.allocate(arena, DType.F32, m, k);
        this.y = Tensor.allocate(arena, DType.F32, m, n);
        this.op = op.apply(this);
    }

    /** F32 weights W[N,K], packed at "load time" into the GEMM micro-kernel's panels. */
    static OurGemm f32(int m, int k, int n, float[] w, WorkerPool pool) {
        Arena arena = Arena.ofShared();
        Tensor packed = LinearOps.packF32(arena, Tensor.ofFloats(arena, w, n, k));
        return new OurGemm("linear F32_PACKED", arena, m, k, n, g -> () -> LinearOps.linear(pool, g.x, packed, null, g.y));
    }

    /** F32 weights W[N,K] row-major, unpacked (the dot-product kernel). */
    static OurGemm f32Unpacked(int m, int k, int n, float[] w, WorkerPool pool) {
        Arena arena = Arena.ofShared();
        Tensor wt = Tensor.ofFloats(arena, w, n, k);
        return new OurGemm("linear F32", arena, m, k, n, g -> () -> LinearOps.linear(pool, g.x, wt, null, g.y));
    }

    private static Tensor int8(Arena arena, Data.Q8 q, int n, int k) {
        MemorySegment data = arena.allocate((long) n * k, 64), scales = Mem.floats(arena, q.scales());
        MemorySegment.copy(q.q(), 0, data, Mem.I8, 0, q.q().length);
        return Tensor.of(DType.I8_ROW, data, scales, n, k);
    }

    /** INT8 weights (one scale per row) x F32 activations, dequantized on the fly. */
    static OurGemm q8xf32(int m, int k, int n, Data.Q8 q, WorkerPool pool) {
        Arena arena = Arena.ofShared();
        Tensor wt = int8(arena, q, n, k);
        return new OurGemm("linear I8_ROW (Q8xF32)", arena, m, k, n, g -> () -> LinearOps.linear(pool, g.x, wt, null, g.y));
    }

    /**
     * INT8 weights x INT8 activations quantized per row on each call (dynamic), in the weight layout the models use
     * for that many rows: from {@link MatmulQ8#GEMM_MIN_ROWS} rows the weights are panel-packed at "load time"
     * ({@link LinearOps#packQ8}, as BERT, ViT and the DiT do) and the GEMM widens each panel once for all rows;
     * below it they stay I8_ROW and the rows accumulate in INT32 (the matrix-vector path).
     */
    static OurGemm q8xq8(int m, int k, int n, Data.Q8 q, WorkerPool pool) {
        Arena arena = Arena.ofShared();
        boolean packed = m >= MatmulQ8.GEMM_MIN_ROWS;
        Tensor wt = packed ? LinearOps.packQ8(arena, int8(arena, q, n, k)) : int8(arena, q, n, k);
        LinearOps.Q8Activations act = LinearOps.Q8Activations.allocate(arena, m, k);
        return new OurGemm("linearQ8Q8 (dynamic" + (packed ? ", packed)" : ")"), arena, m, k, n,
                g -> () -> LinearOps.linearQ8Q8(pool, g.x, wt, null, g.y, act));
    }

    @Override
    public void setInput(float[] a) {
        if (a.length != m * k) {
            throw new IllegalArgumentException("OurGemm.setInput: " + a.length + " values for A[" + m + ", " + k + "]");
        }
        MemorySegment.copy(a, 0, x.data(), Mem.F32, 0, a.length);
    }

    @Override
    public void run() {
        op.run();
    }

    @Override
    public float[] output() {
        return Mem.toFloats(y.data(), (long) m * n);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        arena.close();
    }
}
