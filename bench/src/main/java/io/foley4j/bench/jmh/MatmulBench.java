package io.foley4j.bench.jmh;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code y[M,N] = x[M,K] w[N,K]^T} through {@link LinearOps}, per weight dtype, shape ({@code MxKxN}) and thread
 * count. {@code :gflop} reads as GFLOP/s (2MNK per call; INT8 multiply-adds counted the same), {@code :gbyte} as
 * GB/s of weight bytes read (scales included), the figure that matters for the memory-bound matrix-vector shape.
 *
 * <p>dtype: F32 (row-major, dot-product kernel), F32_PACKED (panel layout, register-tiled GEMM), F16, BF16 (weights
 * widened to F32 on the fly), I8_ROW, I8_BLOCK32 (int8 weights x F32 activations), Q8Q8 (int8 x int8 with the
 * activations quantized per row on each call, int32 accumulation). No bias, as in ONNX MatMul.
 *
 * <p>Vector width per fork: {@code bin/foley jmh MatmulBench -jvmArgsAppend -Dfoley4j.simd=256} (128, 256, 512 or
 * scalar). Example: {@code bin/foley jmh MatmulBench -p dtype=F32_PACKED -p shape=1024x1024x1024 -p threads=1,all}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MatmulBench {
    @Param({"F32", "F32_PACKED", "F16", "BF16", "I8_ROW", "I8_BLOCK32", "Q8Q8"})
    public String dtype;
    @Param({"128x384x1536", "197x768x3072", "1024x1024x1024", "1x4096x4096"})
    public String shape;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor x, w, y;
    private LinearOps.Q8Activations act;
    private double gflop, gbyte;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("x");
        int m = Integer.parseInt(s[0]), k = Integer.parseInt(s[1]), n = Integer.parseInt(s[2]);
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        x = Tensor.ofFloats(arena, Work.floats(1, m * k), m, k);
        y = Tensor.allocate(arena, DType.F32, m, n);
        Tensor wf = Tensor.ofFloats(arena, Work.floats(2, n * k), n, k);
        w = switch (dtype) {
            case "F32" -> wf;
            case "F32_PACKED" -> LinearOps.packF32(arena, wf);
            case "Q8Q8" -> LinearOps.quantize(arena, wf, DType.I8_ROW);
            default -> LinearOps.quantize(arena, wf, DType.valueOf(dtype));
        };
        if (dtype.equals("Q8Q8")) {
            act = LinearOps.Q8Activations.allocate(arena, m, k);
        }
        gflop = 2.0 * m * n * k / 1e9;
        gbyte = ((double) w.data().byteSize() + (w.scales() == null ? 0 : w.scales().byteSize())) / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void linear(Work.Flops f, Work.Bytes b) {
        if (act != null) {
            LinearOps.linearQ8Q8(pool, x, w, null, y, act);
        } else {
            LinearOps.linear(pool, x, w, null, y);
        }
        f.gflop += gflop;
        b.gbyte += gbyte;
    }
}
