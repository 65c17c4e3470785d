package io.foley4j.bench;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Quant;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * How to split a packed GEMM over threads, measured: columns first (each thread all rows of x and its share of the
 * weight panels) against rows first (each thread its share of the rows and all panels), on the same pool, timed
 * alternately in one JVM, best sample of each. Also prints one thread on the whole GEMM and on one column share, so
 * the cost of running beside another thread shows. {@code LinearOps.ROWS_FIRST_MIN} is chosen from this.
 *
 * <p>Run: {@code bin/foley bench-class SplitProbe [--threads 2] [--reps 9] [--q8] [MxKxN ...]}; {@code --q8} runs the
 * INT8 panels ({@link MatmulQ8#matmulQ8PackedxF32}) instead of F32.
 */
public final class SplitProbe {
    private SplitProbe() {}

    static final String[] SHAPES = {"128x384x1536", "197x768x3072", "256x1024x1024", "394x768x3072", "1024x1024x1024",
        "1576x768x3072", "1576x3072x768"};

    public static void main(String[] args) throws Exception {
        int threads = 2, reps = 9;
        boolean q8 = false;
        List<String> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--q8" -> q8 = true;
                case "-h", "--help" -> {
                    System.out.println("usage: bin/foley bench-class SplitProbe [--threads 2] [--reps 9] [--q8] [MxKxN ...]");
                    return;
                }
                default -> shapes.add(args[i]);
            }
        }
        if (shapes.isEmpty()) shapes.addAll(List.of(SHAPES));
        System.out.printf("SplitProbe: packed %s GEMM, %d threads, best of %d samples (~30 ms each), GEMM tile %s%n",
                q8 ? "INT8-weight" : "F32", threads, reps, Matmul.tile());
        System.out.printf("%-16s %10s %10s %12s %12s %10s%n", "M x K x N", "1t ms", "1t share", "cols GF/s",
                "rows GF/s", "rows/cols");
        for (String s : shapes) {
            String[] p = s.split("x");
            if (p.length != 3) throw new IllegalArgumentException("SplitProbe: not an option or MxKxN shape: " + s);
            probe(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), threads, reps, q8);
        }
    }

    private static void probe(int m, int k, int n, int threads, int reps, boolean q8) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(threads)) {
            MemorySegment x = segment(arena, Data.floats(31, m * k, 1));
            MemorySegment w = segment(arena, Data.floats(32, n * k, 1));
            MemorySegment y = arena.allocate((long) m * n * 4, 64);
            MemorySegment packed, scales = null;
            if (q8) {
                MemorySegment q = arena.allocate((long) n * k, 64);
                scales = arena.allocate((long) n * 4, 64);
                Quant.quantizeRowsQ8(w, q, scales, k, 0, n);
                packed = arena.allocate(MatmulQ8.packedQ8Bytes(n, k), 64);
                MatmulQ8.packQ8(q, packed, n, k);
            } else {
                packed = arena.allocate(Matmul.packedF32Floats(n, k) * 4, 64);
                Matmul.packF32(w, packed, n, k);
            }
            MemorySegment wp = packed, sc = scales;
            Tile tile = (m0, m1, n0, n1) -> {
                if (q8) MatmulQ8.matmulQ8PackedxF32(x, wp, sc, null, y, m, n, k, m0, m1, n0, n1);
                else Matmul.matmulF32Packed(x, wp, null, y, m, n, k, m0, m1, n0, n1);
            };
            int colUnits = (n + Matmul.PANEL - 1) / Matmul.PANEL, rowUnits = (m + 3) / 4;
            Runnable one = () -> tile.run(0, m, 0, n);
            Runnable share = () -> tile.run(0, m, 0, Math.min(n, colUnits / threads * Matmul.PANEL));
            Runnable cols = () -> pool.parallelFor(threads, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    tile.run(0, m, Math.min(n, colUnits * t / threads * Matmul.PANEL),
                            Math.min(n, colUnits * (t + 1) / threads * Matmul.PANEL));
                }
            });
            Runnable rows = () -> pool.parallelFor(threads, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    tile.run(Math.min(m, rowUnits * t / threads * 4), Math.min(m, rowUnits * (t + 1) / threads * 4),
                            0, n);
                }
            });
            double flop = 2.0 * m * n * k;
            int calls = (int) Math.max(1, 0.03 * 150e9 * threads / flop);
            for (Runnable r : new Runnable[] {one, share, cols, rows}) { // warm-up: C2 compiles the tiles
                long until = System.nanoTime() + 400_000_000L;
                while (System.nanoTime() < until) r.run();
            }
            double tOne = 1e30, tShare = 1e30, tCols = 1e30, tRows = 1e30;
            for (int r = 0; r < reps; r++) {
                tOne = Math.min(tOne, perCall(one, Math.max(1, calls / threads)));
                tShare = Math.min(tShare, perCall(share, calls));
                tCols = Math.min(tCols, perCall(cols, calls));
                tRows = Math.min(tRows, perCall(rows, calls));
            }
            System.out.printf("%-16s %10.3f %10.3f %12.1f %12.1f %9.2fx%n", m + "x" + k + "x" + n, tOne * 1e3,
                    tShare * 1e3, flop / tCols / 1e9, flop / tRows / 1e9, tCols / tRows);
        }
    }

    @FunctionalInterface
    private interface Tile {
        void run(int m0, int m1, int n0, int n1);
    }

    private static MemorySegment segment(Arena arena, float[] v) {
        MemorySegment s = arena.allocate((long) v.length * 4, 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }

    private static double perCall(Runnable r, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) r.run();
        return (System.nanoTime() - t0) / 1e9 / calls;
    }
}
