package io.foley4j.bench;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Quant;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic INT8 (W8A8) linear layers on one thread, side by side in one JVM: FP32 packed GEMM; the INT32 path
 * (quantizeRowsQ8 + {@link MatmulQ8#matmulQ8Q8}, what linearQ8Q8 ran before the GEMM path); linearQ8Q8 on I8_ROW
 * weights (fake-quantized activations through the panel GEMM, scalar widening) and on I8_ROW_PACKED weights
 * (vector widening). Warmed up, then timed alternately; the best sample of each (calling thread's CPU time) is
 * printed in ms per call, with ratios to FP32 and to the INT32 path.
 *
 * <p>Run: {@code bin/foley bench-class Q8Probe [--reps 15] [MxKxN ...]} (default: the BERT-base shapes at 128
 * tokens and one small-M shape).
 */
public final class Q8Probe {
    private Q8Probe() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int[][] DEFAULT_SHAPES = {{128, 384, 384}, {128, 384, 1536}, {128, 1536, 384}, {8, 384, 1536}};

    public static void main(String[] args) {
        List<int[]> shapes = new ArrayList<>();
        int reps = 15;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bin/foley bench-class Q8Probe [--reps 15] [MxKxN ...]");
                    return;
                }
                default -> {
                    String[] p = args[i].split("x");
                    if (p.length != 3) throw new IllegalArgumentException("Q8Probe: not an option or MxKxN shape: " + args[i]);
                    shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
                }
            }
        }
        if (shapes.isEmpty()) shapes.addAll(List.of(DEFAULT_SHAPES));
        System.out.printf("%-16s %9s %9s %9s %9s %9s %9s %9s %10s%n", "M x K x N", "FP32 ms", "int32 ms", "q8 ms",
                "q8pk ms", "FP32/pk", "int32/pk", "q8/pk", "|pk-i32|");
        for (int[] s : shapes) {
            probe(s[0], s[1], s[2], reps);
        }
    }

    private static void probe(int m, int k, int n, int reps) {
        try (Arena arena = Arena.ofConfined(); WorkerPool pool = new WorkerPool(1)) {
            Tensor x = Tensor.ofFloats(arena, Data.floats(31, m * k, 1), m, k);
            Tensor w = Tensor.ofFloats(arena, Data.floats(32, n * k, 1), n, k);
            Tensor packedF32 = LinearOps.packF32(arena, w);
            Tensor q = LinearOps.quantize(arena, w, DType.I8_ROW), packedQ8 = LinearOps.packQ8(arena, q);
            LinearOps.Q8Activations act = LinearOps.Q8Activations.allocate(arena, m, k);
            Tensor yF = Tensor.allocate(arena, DType.F32, m, n), yI = Tensor.allocate(arena, DType.F32, m, n);
            Tensor yQ = Tensor.allocate(arena, DType.F32, m, n), yP = Tensor.allocate(arena, DType.F32, m, n);
            MemorySegment xq = act.q(), xs = act.scales();
            Runnable[] runs = {
                () -> LinearOps.linear(pool, x, packedF32, null, yF),
                () -> {
                    Quant.quantizeRowsQ8(x.data(), xq, xs, k, 0, m);
                    MatmulQ8.matmulQ8Q8(xq, xs, q.data(), q.scales(), null, yI.data(), m, n, k, 0, m, 0, n);
                },
                () -> LinearOps.linearQ8Q8(pool, x, q, null, yQ, act),
                () -> LinearOps.linearQ8Q8(pool, x, packedQ8, null, yP, act),
            };
            long until = System.nanoTime() + 2_000_000_000L; // C2 compiles every path
            while (System.nanoTime() < until) {
                for (Runnable r : runs) r.run();
            }
            double flop = 2.0 * m * n * k;
            int calls = (int) Math.max(1, 0.03 * 50e9 / flop); // ~30 ms per sample at 50 GF/s
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int r = 0; r < reps; r++) {
                for (int i = 0; i < runs.length; i++) best[i] = Math.min(best[i], perCall(runs[i], calls));
            }
            Diff d = Diff.of(yP.toFloats(), yI.toFloats(), 1.0);
            System.out.printf("%-16s %9.3f %9.3f %9.3f %9.3f %9.2f %9.2f %9.2f %10.2e%n", m + "x" + k + "x" + n,
                    best[0] * 1e3, best[1] * 1e3, best[2] * 1e3, best[3] * 1e3, best[0] / best[3], best[1] / best[3],
                    best[2] / best[3], d.maxAbs());
        }
    }

    /** Seconds per call: the calling thread's CPU time (the pool of 1 runs the work on it). */
    private static double perCall(Runnable r, int calls) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) r.run();
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e9 / calls;
    }
}
