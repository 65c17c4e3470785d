package io.foley4j.bench.jmh;

import io.foley4j.engine.DType;
import io.foley4j.engine.RnnOps;
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
 * An LSTM layer over a sequence through {@link RnnOps} (input projection for all steps, then one cell per step),
 * with F32 or F16 weights. {@code :gflop} reads as GFLOP/s: 2 x 4H x (I + H) per step. Vector width per fork:
 * {@code -jvmArgsAppend -Dfoley4j.simd=128|256|512|scalar} (see {@link ElementwiseBench}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RnnBench {
    /** steps x input x hidden: Silero VAD's cell (one 128-wide step per 32 ms chunk, run on 64 chunks), and wider. */
    @Param({"64x128x128", "100x256x512"})
    public String shape;
    @Param({"F32", "F16"})
    public String weights;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor x, out;
    private RnnOps.LstmWeights w;
    private RnnOps.LstmState state;
    private RnnOps.LstmScratch scratch;
    private double gflop;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("x");
        int steps = Integer.parseInt(s[0]), in = Integer.parseInt(s[1]), hid = Integer.parseInt(s[2]);
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        x = Tensor.ofFloats(arena, Work.floats(1, steps * in), steps, in);
        out = Tensor.allocate(arena, DType.F32, steps, hid);
        Tensor wih = Tensor.ofFloats(arena, scaled(Work.floats(2, 4 * hid * in), 0.1f), 4 * hid, in);
        Tensor whh = Tensor.ofFloats(arena, scaled(Work.floats(3, 4 * hid * hid), 0.1f), 4 * hid, hid);
        if (weights.equals("F16")) {
            wih = f16(wih);
            whh = f16(whh);
        }
        w = new RnnOps.LstmWeights(wih, whh, Tensor.ofFloats(arena, Work.floats(4, 4 * hid), 4 * hid), null);
        state = RnnOps.LstmState.zeros(arena, hid);
        scratch = RnnOps.LstmScratch.allocate(arena, hid, steps);
        gflop = 2.0 * 4 * hid * (in + hid) * steps / 1e9;
    }

    private static float[] scaled(float[] a, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
        return a;
    }

    private Tensor f16(Tensor t) {
        Tensor h = Tensor.allocate(arena, DType.F16, t.shape());
        float[] v = t.toFloats();
        for (int i = 0; i < v.length; i++) {
            h.data().set(io.foley4j.kernels.Mem.I16, 2L * i, Float.floatToFloat16(v[i]));
        }
        return h;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void lstm(Work.Flops f) {
        state.reset();
        RnnOps.lstm(pool, x, w, state, out, scratch);
        f.gflop += gflop;
    }
}
