package io.foley4j.bench;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * FP32 packed GEMM, ours vs ONNX Runtime MatMul, side by side in one JVM on the shapes: for each shape and
 * thread count, both are warmed up, then timed alternately (ours, ORT, ours, ORT, ...) so that a slow spell of a
 * shared machine hits both alike. Prints the best sample of each as GFLOP/s and the ratio ours / ORT: CPU time of the
 * calling thread on 1 thread (ORT with one intra-op thread runs on it too), wall time on more.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <bench class path> io.foley4j.bench.GemmProbe
 * [--threads 1,2] [--reps 15] [--ours-only] [MxKxN ...]} (default shapes: {@link GemmBench#ORT_SHAPES} without the
 * matrix-vector one). {@code --ours-only} skips ORT, e.g. to read the JIT's code with {@code -XX:+PrintAssembly}.
 */
public final class GemmProbe {
    private GemmProbe() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        List<int[]> shapes = new ArrayList<>();
        List<Integer> threads = List.of(1);
        int reps = 15;
        boolean ort = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = parseInts(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--ours-only" -> ort = false;
                case "-h", "--help" -> {
                    System.out.println("usage: bin/foley bench-class GemmProbe [--threads 1,2] [--reps 15] [--ours-only] [MxKxN ...]");
                    return;
                }
                default -> {
                    String[] p = args[i].split("x");
                    if (p.length != 3) throw new IllegalArgumentException("GemmProbe: not an option or MxKxN shape: " + args[i]);
                    shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
                }
            }
        }
        if (shapes.isEmpty()) {
            shapes.addAll(List.of(GemmBench.ORT_SHAPES).subList(0, 3));
        }
        System.out.println("GEMM tile " + io.foley4j.kernels.Matmul.tile() + ", "
                + io.foley4j.kernels.JitFlags.report());
        System.out.printf("%-16s %7s %10s %10s %7s %12s%n", "M x K x N", "threads", "ours GF/s", "ORT GF/s",
                "ratio", "max |diff|");
        for (int[] s : shapes) {
            for (int t : threads) {
                probe(s, t, reps, ort);
            }
        }
    }

    private static List<Integer> parseInts(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String p : csv.split(",")) {
            out.add(Integer.parseInt(p.trim()));
        }
        return out;
    }

    private static void probe(int[] s, int threads, int reps, boolean withOrt) throws Exception {
        int m = s[0], k = s[1], n = s[2];
        float[] a = Data.floats(21, m * k, 1), w = Data.floats(22, n * k, 1);
        try (WorkerPool pool = new WorkerPool(threads); Gemm ours = OurGemm.f32(m, k, n, w, pool);
             Gemm ort = withOrt ? OrtGemm.f32(m, k, n, w, threads) : null) {
            ours.setInput(a);
            double flop = GemmBench.flop(s);
            // warm-up: ~1.5 s of ours (C2 compiles the tiles), a few ORT runs
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                ours.run();
            }
            String diff = "";
            if (ort != null) {
                ort.setInput(a);
                for (int i = 0; i < 5; i++) {
                    ort.run();
                }
                diff = String.format("%.2e", Diff.of(ours.output(), ort.output(), 1.0).maxAbs());
            }
            int calls = (int) Math.max(1, 0.05 * 150e9 * threads / flop); // ~50 ms per sample at 150 GF/s/thread
            double[] tOurs = new double[reps], tOrt = new double[reps];
            for (int r = 0; r < reps; r++) {
                Timing.settle(Timing.settleFor(threads)); // see Timing#timeSideBySide
                tOurs[r] = perCall(ours, calls, threads == 1);
                if (ort != null) {
                    Timing.settle(Timing.settleFor(threads));
                    tOrt[r] = perCall(ort, calls, threads == 1);
                }
            }
            double go = flop / best(tOurs) / 1e9;
            double gr = ort == null ? Double.NaN : flop / best(tOrt) / 1e9;
            System.out.printf("%-16s %7d %10.1f %10.1f %7.2f %12s%n", GemmBench.shape(s), threads, go, gr, go / gr,
                    diff);
        }
    }

    /** Seconds per call: the calling thread's CPU time on 1 thread (a shared machine's other processes then cost
     * little), wall time otherwise (the pool's threads do the work). */
    private static double perCall(Gemm g, int calls, boolean cpu) {
        long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        for (int i = 0; i < calls; i++) {
            g.run();
        }
        return ((cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e9 / calls;
    }

    /** The fastest sample: other processes on a shared machine only ever slow a sample down. */
    private static double best(double[] v) {
        return java.util.Arrays.stream(v).min().orElseThrow();
    }
}
