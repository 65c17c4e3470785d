package io.foley4j.bench.jmh;

import io.foley4j.engine.ConvOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;
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
 * conv1d and conv2d through {@link ConvOps}; {@code :gflop} reads as GFLOP/s (2 x Cout x output positions x
 * Cin/groups x kernel size per call). Vector width per fork: {@code -jvmArgsAppend -Dfoley4j.simd=128|256|512|scalar}
 * (see {@link ElementwiseBench}).
 *
 * <p>Layers: {@code k3} conv1d 128->128, kernel 3, 512 steps; {@code k3s2} the same with stride 2;
 * {@code stft} STFT as a conv (1->258 channels, kernel 256, hop 128, 16000 samples); {@code dw} depthwise
 * kernel 3, dilation 2 (256 channels); {@code patch16} conv2d ViT-B/16 patch embedding (3x224x224 -> 768x14x14).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ConvBench {
    @Param({"k3", "k3s2", "stft", "dw", "patch16"})
    public String layer;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private Tensor x, w, b, out;
    private MemorySegment scratch;
    private ConvOps.Conv1dParams p1;
    private ConvOps.Conv2dParams p2;
    private double gflop;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        if (layer.equals("patch16")) {
            x = Tensor.ofFloats(arena, Work.floats(1, 3 * 224 * 224), 3, 224, 224);
            w = Tensor.ofFloats(arena, Work.floats(2, 768 * 3 * 16 * 16), 768, 3, 16, 16);
            b = Tensor.ofFloats(arena, Work.floats(3, 768), 768);
            p2 = ConvOps.Conv2dParams.patch(16, 16);
            Conv.Geometry2d g = ConvOps.geometry2d(x, w, p2);
            out = Tensor.allocate(arena, DType.F32, g.cout(), g.ho(), g.wo());
            scratch = Mem.floats(arena, ConvOps.conv2dScratchFloats(g));
            gflop = 2.0 * g.cout() * g.patches() * g.colLength() / 1e9;
            return;
        }
        int[] d = switch (layer) { // cin, len, cout, kw, stride, pad, dilation, groups
            case "k3" -> new int[] {128, 512, 128, 3, 1, 1, 1, 1};
            case "k3s2" -> new int[] {128, 512, 128, 3, 2, 1, 1, 1};
            case "stft" -> new int[] {1, 16000, 258, 256, 128, 0, 1, 1};
            case "dw" -> new int[] {256, 512, 256, 3, 1, 2, 2, 256};
            default -> throw new IllegalArgumentException("ConvBench: unknown layer " + layer);
        };
        x = Tensor.ofFloats(arena, Work.floats(1, d[0] * d[1]), d[0], d[1]);
        w = Tensor.ofFloats(arena, Work.floats(2, d[2] * (d[0] / d[7]) * d[3]), d[2], d[0] / d[7], d[3]);
        b = Tensor.ofFloats(arena, Work.floats(3, d[2]), d[2]);
        p1 = new ConvOps.Conv1dParams(d[4], d[5], d[5], d[6], d[7]);
        Conv.Geometry1d g = ConvOps.geometry1d(x, w, p1);
        out = Tensor.allocate(arena, DType.F32, g.cout(), g.lout());
        scratch = Mem.floats(arena, ConvOps.conv1dScratchFloats(g, pool.threads()));
        gflop = 2.0 * g.cout() * g.lout() * g.colLength() / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void conv(Work.Flops f) {
        if (p2 != null) {
            ConvOps.conv2d(pool, x, w, b, p2, out, scratch);
        } else {
            ConvOps.conv1d(pool, x, w, b, p1, out, scratch);
        }
        f.gflop += gflop;
    }
}
