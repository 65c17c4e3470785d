package io.foley4j.bench.jmh;

import io.foley4j.engine.DType;
import io.foley4j.engine.NormOps;
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
 * LayerNorm and RMSNorm over the last dimension of {@code [rows, dim]} through {@link NormOps}; memory-bound, so
 * {@code :gbyte} (x read + out written) reads as GB/s. Vector width per fork: {@code -jvmArgsAppend
 * -Dfoley4j.simd=128|256|512|scalar} (see {@link ElementwiseBench}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class NormBench {
    @Param({"layerNorm", "rmsNorm"})
    public String op;
    @Param({"128x384", "197x768", "1500x1280"})
    public String shape;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor x, gamma, beta, out;
    private double gbyte;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("x");
        int rows = Integer.parseInt(s[0]), dim = Integer.parseInt(s[1]);
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        x = Tensor.ofFloats(arena, Work.floats(1, rows * dim), rows, dim);
        gamma = Tensor.ofFloats(arena, Work.floats(2, dim), dim);
        beta = Tensor.ofFloats(arena, Work.floats(3, dim), dim);
        out = Tensor.allocate(arena, DType.F32, rows, dim);
        gbyte = 8.0 * rows * dim / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void norm(Work.Bytes b) {
        if (op.equals("layerNorm")) {
            NormOps.layerNorm(x, gamma, beta, 1e-5f, out, pool);
        } else {
            NormOps.rmsNorm(x, gamma, 1e-5f, out, pool);
        }
        b.gbyte += gbyte;
    }
}
