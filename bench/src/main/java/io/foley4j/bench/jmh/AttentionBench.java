package io.foley4j.bench.jmh;

import io.foley4j.engine.AttentionOps;
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
 * Multi-head attention of one sequence through {@link AttentionOps} (streaming softmax, no score matrix).
 * {@code :gflop} reads as GFLOP/s: 4 x heads x visible (query, key) pairs x headDim per call (q.k and p.v).
 * Vector width per fork: {@code -jvmArgsAppend -Dfoley4j.simd=128|256|512|scalar} (see {@link ElementwiseBench}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AttentionBench {
    /** seq x heads x headDim: BERT-small at 128 tokens, ViT-B/16 (197 patches), a 1500-frame audio encoder. */
    @Param({"128x12x32", "197x12x64", "1500x20x64"})
    public String shape;
    @Param({"false", "true"})
    public boolean causal;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor q, k, v, out;
    private AttentionOps.Scratch scratch;
    private int heads;
    private float scale;
    private double gflop;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("x");
        int seq = Integer.parseInt(s[0]), hd = Integer.parseInt(s[2]);
        heads = Integer.parseInt(s[1]);
        int width = heads * hd;
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        q = Tensor.ofFloats(arena, Work.floats(1, seq * width), seq, width);
        k = Tensor.ofFloats(arena, Work.floats(2, seq * width), seq, width);
        v = Tensor.ofFloats(arena, Work.floats(3, seq * width), seq, width);
        out = Tensor.allocate(arena, DType.F32, seq, width);
        scratch = AttentionOps.Scratch.create(arena, pool.threads(), hd);
        scale = AttentionOps.defaultScale(hd);
        double pairs = causal ? seq * (seq + 1) / 2.0 : (double) seq * seq;
        gflop = 4.0 * heads * pairs * hd / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void attention(Work.Flops f) {
        AttentionOps.attention(q, k, v, null, causal, scale, out, heads, heads, scratch, pool);
        f.gflop += gflop;
    }
}
