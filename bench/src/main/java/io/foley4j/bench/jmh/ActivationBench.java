package io.foley4j.bench.jmh;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.DType;
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
 * Activations (elementwise) and softmax (over the last dimension, 128 wide) through {@link ActivationOps}.
 * {@code :gbyte} (x read + out written, 8 bytes per element) reads as GB/s; divide by 8 for G elements/s.
 * Vector width per fork: {@code -jvmArgsAppend -Dfoley4j.simd=128|256|512|scalar} (see {@link ElementwiseBench}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ActivationBench {
    @Param({"GELU", "GELU_TANH", "QUICK_GELU", "SILU", "SIGMOID", "TANH", "SOFTMAX"})
    public String fn;
    /** Elements: one FFN activation of 128 tokens x 1536, or of 197 x 3072. */
    @Param({"196608", "605184"})
    public int n;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor x, out;
    private ActivationOps.Fn f;
    private double gbyte;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        x = Tensor.ofFloats(arena, Work.floats(1, n), n / 128, 128);
        out = Tensor.allocate(arena, DType.F32, n / 128, 128);
        f = fn.equals("SOFTMAX") ? null : ActivationOps.Fn.valueOf(fn);
        gbyte = 8.0 * n / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void activation(Work.Bytes b) {
        if (f == null) {
            ActivationOps.softmax(x, out, pool);
        } else {
            ActivationOps.apply(f, x, out, pool);
        }
        b.gbyte += gbyte;
    }
}
