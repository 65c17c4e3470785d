package io.foley4j.bench;

import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The JIT-order check: a few vector kernels timed in a fresh JVM, then again after every SIMD case of
 * {@link QuickBench} ran (scalar and vector, as its {@code simd} section does), in the same JVM. A ratio well under
 * 1 means a kernel compiled late runs slower than the same kernel compiled first. The cause found was the JDK's
 * shared memory-access profiles recording heap segments (see {@code Mem.plain}); the probes are set up before
 * anything runs a reinterpreting Vector API op, which is why no matmul case (their set-up quantizes) is a probe.
 *
 * <p>Times are the calling thread's CPU time (median of 9 repetitions of ~50 ms after 2 s of warm-up), so other
 * processes on a shared machine slow the measurement less than they would wall-clock time. Run:
 * {@code java --add-modules jdk.incubator.vector -cp <bench class path> io.foley4j.bench.JitOrderCheck}.
 */
public final class JitOrderCheck {
    private JitOrderCheck() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        try (Arena arena = Arena.ofConfined()) {
            List<SimdCase> probes = probes(arena);
            double[] alone = new double[probes.size()];
            for (int i = 0; i < probes.size(); i++) {
                alone[i] = cpuSeconds(probes.get(i).vector(), 2.0, 9);
            }
            for (String family : SimdCases.FAMILIES) {
                for (SimdCase c : SimdCases.family(family, arena)) {
                    cpuSeconds(c.scalar(), 0.3, 3);
                    cpuSeconds(c.vector(), 0.3, 3);
                }
            }
            System.out.printf("%-12s %-18s %18s %18s %6s%n", "family", "op", "alone", "after all cases", "ratio");
            for (int i = 0; i < probes.size(); i++) {
                SimdCase c = probes.get(i);
                double after = cpuSeconds(c.vector(), 2.0, 9);
                System.out.printf("%-12s %-18s %18s %18s %6.2f%n", c.family(), c.op(), c.rate(alone[i]),
                        c.rate(after), alone[i] / after);
            }
        }
    }

    private static List<SimdCase> probes(Arena arena) {
        int m = 96, k = 1024, n = 512; // 16 full micro-tiles of rows, K over two K blocks
        MemorySegment a = SimdCases.floats(arena, 1, m * k, 1), w = SimdCases.floats(arena, 2, n * k, 1);
        MemorySegment y = Mem.floats(arena, (long) m * n), packed = Mem.floats(arena, Matmul.packedF32Floats(n, k));
        Matmul.packF32(w, packed, n, k);
        List<SimdCase> probes = new ArrayList<>();
        probes.add(new SimdCase("gemm", "F32 packed", m + "x" + k + "x" + n, 2.0 * m * n * k, "FLOP", null,
                () -> Matmul.matmulF32PackedVector(a, packed, null, y, m, n, k, 0, m, 0, n)));
        probes.add(SimdCases.elementwise(arena).get(0));
        probes.addAll(SimdCases.norm(arena));
        probes.addAll(SimdCases.softmax(arena));
        probes.add(SimdCases.attention(arena).get(0));
        return probes;
    }

    /** Median CPU seconds per call of the calling thread, after {@code warmup} CPU seconds of calls. */
    static double cpuSeconds(Runnable op, double warmup, int reps) {
        long calls = 1, start = THREADS.getCurrentThreadCpuTime();
        while (THREADS.getCurrentThreadCpuTime() - start < warmup * 1e9) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                op.run();
            }
            double perCall = Math.max(1, THREADS.getCurrentThreadCpuTime() - t0) / (double) calls;
            calls = Math.max(1, (long) (50e6 / perCall));
        }
        double[] s = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                op.run();
            }
            s[r] = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9 / calls;
        }
        java.util.Arrays.sort(s);
        return s[reps / 2];
    }
}
