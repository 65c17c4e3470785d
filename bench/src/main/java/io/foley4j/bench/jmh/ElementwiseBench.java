package io.foley4j.bench.jmh;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
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
 * Elementwise ops (memory-bound: the {@code gbyte} counter reads as GB/s). {@code n = 4096} stays in L1/L2,
 * {@code n = 4M} streams from DRAM. Rows split over a {@link WorkerPool} of {@code threads}.
 *
 * <p>Vector width: one per JVM (the species are static final), so pick it per fork:
 * {@code bin/foley jmh ElementwiseBench -jvmArgsAppend -Dfoley4j.simd=256} (128, 256, 512 or scalar; default: the
 * platform's preferred width). The same holds for every benchmark class in this package.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ElementwiseBench {
    @Param({"add", "mul", "scale", "addScaled"})
    public String op;
    @Param({"4096", "4194304"})
    public int n;
    @Param({"1", "all"})
    public String threads;

    private Arena arena;
    private WorkerPool pool;
    private MemorySegment a, b, out;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        pool = Work.pool(threads);
        a = random(1);
        b = random(2);
        out = Mem.floats(arena, n);
    }

    private MemorySegment random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment s = Mem.floats(arena, n);
        for (int i = 0; i < n; i++) {
            Mem.setF32(s, i, (float) r.nextDouble(-1, 1));
        }
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void run(Work.Bytes w) {
        switch (op) {
            case "add" -> pool.parallelFor(n, 2048, (s, e) -> Elementwise.add(a, b, out, s, e));
            case "mul" -> pool.parallelFor(n, 2048, (s, e) -> Elementwise.mul(a, b, out, s, e));
            case "scale" -> pool.parallelFor(n, 2048, (s, e) -> Elementwise.scale(a, 0.5f, out, s, e));
            case "addScaled" -> pool.parallelFor(n, 2048, (s, e) -> Elementwise.addScaled(a, 0.5f, b, out, s, e));
            default -> throw new IllegalArgumentException("ElementwiseBench: unknown op " + op);
        }
        w.gbyte += (op.equals("scale") ? 8.0 : 12.0) * n / 1e9;
    }
}
