package io.foley4j.bench;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * What cold operands cost a linear layer: the packed F32 GEMM repeated on one x, one weight and one y (all in cache
 * after the first call, as a benchmark of one layer sees them) against calls that rotate over 8 copies of the
 * weights, of y, of x, or of all three (each call then finds its operands evicted, as the layers of a model's forward
 * do). Timed in turn in one JVM, best of 8 rounds of 40 calls; prints each as a ratio to the all-hot time.
 *
 * <p>Run: {@code bin/foley bench-class ColdProbe [--threads 1,2] [MxKxN ...]} (default: ViT-B/16's fc1, fc2 and q
 * shapes at batch 1).
 */
public final class ColdProbe {
    private ColdProbe() {}

    private static final int COPIES = 8;
    private static final String[] MODES = {"all hot", "cold y", "cold w", "cold w, y", "cold x", "cold x, w, y"};

    public static void main(String[] args) throws Exception {
        List<Integer> threads = List.of(1, 2);
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) {
                threads = new ArrayList<>();
                for (String t : args[++i].split(",")) threads.add(Integer.parseInt(t.trim()));
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("usage: bin/foley bench-class ColdProbe [--threads 1,2] [MxKxN ...]");
                return;
            } else {
                String[] p = args[i].split("x");
                if (p.length != 3) throw new IllegalArgumentException("ColdProbe: not an option or MxKxN shape: " + args[i]);
                shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
            }
        }
        if (shapes.isEmpty()) {
            shapes.addAll(List.of(new int[] {197, 768, 3072}, new int[] {197, 3072, 768}, new int[] {197, 768, 768}));
        }
        System.out.printf("ColdProbe: packed F32 linear with bias, %d copies rotated, ms per call (ratio to all hot)%n",
                COPIES);
        StringBuilder head = new StringBuilder(String.format("%-16s %7s", "M x K x N", "threads"));
        for (String m : MODES) head.append(String.format(" %18s", m));
        System.out.println(head);
        for (int[] s : shapes) {
            for (int t : threads) {
                probe(s[0], s[1], s[2], t);
            }
        }
    }

    private static void probe(int m, int k, int n, int threads) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(threads)) {
            Tensor[] x = new Tensor[COPIES], w = new Tensor[COPIES], b = new Tensor[COPIES], y = new Tensor[COPIES];
            for (int c = 0; c < COPIES; c++) {
                x[c] = Tensor.ofFloats(arena, Data.floats(41, m * k, 1), m, k);
                w[c] = LinearOps.packF32(arena, Tensor.ofFloats(arena, Data.floats(42 + c, n * k, 1), n, k));
                b[c] = Tensor.ofFloats(arena, Data.floats(60 + c, n, 1), n);
                y[c] = Tensor.allocate(arena, DType.F32, m, n);
            }
            double[] best = new double[MODES.length];
            java.util.Arrays.fill(best, Double.MAX_VALUE);
            int calls = 40;
            for (int round = 0; round < 10; round++) {
                for (int mode = 0; mode < MODES.length; mode++) {
                    boolean cw = mode == 2 || mode == 3 || mode == 5, cy = mode == 1 || mode == 3 || mode == 5;
                    boolean cx = mode >= 4;
                    if (round == 0) {
                        for (int i = 0; i < 20; i++) LinearOps.linear(pool, x[0], w[0], b[0], y[0]); // C2 compiles
                    }
                    LinearOps.linear(pool, x[0], w[0], b[0], y[0]);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        int c = i % COPIES;
                        LinearOps.linear(pool, x[cx ? c : 0], w[cw ? c : 0], b[cw ? c : 0], y[cy ? c : 0]);
                    }
                    double ms = (System.nanoTime() - t0) / 1e6 / calls;
                    if (round >= 2) best[mode] = Math.min(best[mode], ms);
                }
            }
            StringBuilder row = new StringBuilder(String.format("%-16s %7d", m + "x" + k + "x" + n, threads));
            for (double v : best) row.append(String.format(" %10.3f (%.2fx)", v, v / best[0]));
            System.out.println(row);
        }
    }
}
