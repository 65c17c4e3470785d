package io.foley4j.bench;

import io.foley4j.engine.WorkerPool;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;

/**
 * Why does our packed GEMM scale less than 2x from 1 to 2 threads? Three ways to keep 2 cores busy on one shape,
 * measured in wall-clock GFLOP/s, side by side in one JVM:
 * <ul>
 *   <li>one GEMM on a pool of 1 thread (the single-core rate);</li>
 *   <li>one GEMM on a pool of 2 threads (the engine's split of one GEMM);</li>
 *   <li>two independent GEMMs, each on its own pool of 1 thread, run at the same time by two threads (no split,
 *       no hand-off: what the hardware gives our kernel on 2 cores).</li>
 * </ul>
 * If the third is near 2x the first while the second is not, the loss is in the split (duplicated packing, hand-off,
 * imbalance); if the third is also short of 2x, the cores interfere (shared cache or memory bandwidth, clocks).
 *
 * <pre>bin/foley bench-class GemmScaling [M K N] [--seconds S]</pre>
 */
public final class GemmScaling {
    private GemmScaling() {}

    public static void main(String[] args) throws Exception {
        int[][] shapes = {{128, 384, 1536}, {197, 768, 3072}, {1024, 1024, 1024}};
        double seconds = 2;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Double.parseDouble(args[++i]);
            } else if (args.length - i >= 3) {
                shapes = new int[][] {{Integer.parseInt(args[i]), Integer.parseInt(args[i + 1]),
                        Integer.parseInt(args[i + 2])}};
                i += 2;
            } else {
                throw new IllegalArgumentException("GemmScaling: expected M K N or --seconds S, got " + args[i]);
            }
        }
        System.out.printf("%-16s %12s %12s %16s %10s %10s%n", "M x K x N", "1 thread", "split on 2",
                "2 independent", "split/1", "indep/1");
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            float[] w = random(n * k, 1), a = random(m * k, 2);
            double flop = 2.0 * m * n * k;
            double one, split, indep;
            try (WorkerPool p1 = new WorkerPool(1); Gemm g = OurGemm.f32(m, k, n, w, p1)) {
                g.setInput(a);
                one = flop * rate(g, seconds);
            }
            try (WorkerPool p2 = new WorkerPool(2); Gemm g = OurGemm.f32(m, k, n, w, p2)) {
                g.setInput(a);
                split = flop * rate(g, seconds);
            }
            try (WorkerPool pa = new WorkerPool(1); WorkerPool pb = new WorkerPool(1);
                 Gemm ga = OurGemm.f32(m, k, n, w, pa); Gemm gb = OurGemm.f32(m, k, n, w, pb)) {
                ga.setInput(a);
                gb.setInput(a);
                indep = flop * concurrentRate(ga, gb, seconds);
            }
            System.out.printf("%-16s %9.1f GF %9.1f GF %13.1f GF %9.2fx %9.2fx%n", m + "x" + k + "x" + n,
                    one / 1e9, split / 1e9, indep / 1e9, split / one, indep / one);
        }
    }

    /** Runs per second of one GEMM, after a warm-up of the same length. */
    static double rate(Gemm g, double seconds) {
        for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; ) g.run();
        long t0 = System.nanoTime(), runs = 0;
        for (long end = t0 + (long) (seconds * 1e9); System.nanoTime() < end; runs++) g.run();
        return runs / ((System.nanoTime() - t0) / 1e9);
    }

    /** Total runs per second of two GEMMs run at the same time by two threads (each warmed up first). */
    static double concurrentRate(Gemm a, Gemm b, double seconds) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        long[] runs = new long[2];
        double[] elapsed = new double[2];
        Gemm[] gs = {a, b};
        Thread[] ts = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; ) gs[id].run();
                    start.await();
                    long t0 = System.nanoTime(), r = 0;
                    for (long end = t0 + (long) (seconds * 1e9); System.nanoTime() < end; r++) gs[id].run();
                    elapsed[id] = (System.nanoTime() - t0) / 1e9;
                    runs[id] = r;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        return runs[0] / elapsed[0] + runs[1] / elapsed[1];
    }

    static float[] random(int size, long seed) {
        Random r = new Random(seed);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
