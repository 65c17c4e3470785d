package io.foley4j.bench;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import java.util.ArrayList;
import java.util.List;

/**
 * The GEMM sections of {@link QuickBench}: FP32 GFLOP/s against the machine peak, ours vs ONNX Runtime on the
 * issue's shapes, and the INT8-vs-F32 matrix-vector speedup. Shapes are M x K x N: {@code Y[M,N] = A[M,K] W[N,K]^T}.
 */
final class GemmBench {
    private GemmBench() {}

    /** The shapes: BERT-small FFN (128 tokens), ViT-B FFN (197 patches), square, and matrix-vector. */
    static final int[][] ORT_SHAPES = {{128, 384, 1536}, {197, 768, 3072}, {1024, 1024, 1024}, {1, 4096, 4096}};
    static final int[][] PEAK_SHAPES = {{1024, 1024, 1024}, {197, 768, 3072}};

    static final String PEAK_TARGET = "FP32 GEMM 1024^3, all threads >= 80% of peak";
    static final String ORT_TARGET = "ours >= 1.0x ONNX Runtime on every listed shape";
    static final String MATVEC_TARGET = "matvec 4096^2: INT8 weights >= 2.5x FP32 weights";

    static String shape(int[] s) {
        return s[0] + "x" + s[1] + "x" + s[2];
    }

    static double flop(int[] s) {
        return 2.0 * s[0] * s[1] * s[2];
    }

    static List<Integer> threadCounts(int all) {
        List<Integer> t = new ArrayList<>(List.of(1));
        if (all > 1) {
            t.add(all);
        }
        return t;
    }

    static void vsPeak(QuickBench.Options o, Report report, Peak peak) {
        report.table("FP32 GEMM vs the FP32 peak (target: 1024^3 on all threads >= 80%)",
                new int[] {-16, 7, -26, 14, 14, 8, 7}, "M x K x N", "threads", "kernel", "GFLOP/s", "peak",
                "% peak", "target");
        for (int[] s : PEAK_SHAPES) {
            float[] a = Data.floats(11, s[0] * s[1], 1), w = Data.floats(12, s[2] * s[1], 1);
            for (int threads : threadCounts(o.threads())) {
                try (WorkerPool pool = new WorkerPool(threads); Gemm g = OurGemm.f32(s[0], s[1], s[2], w, pool)) {
                    g.setInput(a);
                    double sec = o.seconds(o.timing().time(g::run));
                    double gf = flop(s) / sec / 1e9, pk = peak.gflops(threads);
                    boolean checked = s[0] == 1024 && s[1] == 1024 && s[2] == 1024 && threads == o.threads();
                    report.row(PEAK_TARGET, checked ? gf >= 0.8 * pk : null, shape(s), "" + threads, g.name(),
                            Report.f("%.1f", gf), Report.f("%.1f", pk), Report.f("%.1f%%", 100 * gf / pk));
                }
            }
        }
        report.endTable();
    }

    static void vsOrt(QuickBench.Options o, Report report) throws Exception {
        report.table("Ours vs ONNX Runtime 1.29 (same inputs, parity checked first; target ratio >= 1.0)",
                new int[] {-16, -5, 7, 11, 11, 7, -34, -56, 7}, "M x K x N", "dtype", "threads", "ours GOP/s",
                "ORT GOP/s", "ratio", "parity (ours vs ORT)", "ours / ORT kernels", "target");
        for (int[] s : ORT_SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = Data.floats(21, m * k, 1), w = Data.floats(22, n * k, 1);
            Data.Q8 q = Data.quantizeRows(w, n, k);
            for (String dtype : List.of("F32", "INT8")) {
                for (int threads : threadCounts(o.threads())) {
                    boolean f32 = dtype.equals("F32");
                    try (WorkerPool pool = new WorkerPool(threads);
                         Gemm ours = f32 ? OurGemm.f32(m, k, n, w, pool) : OurGemm.q8xq8(m, k, n, q, pool);
                         OrtGemm ort = f32 ? OrtGemm.f32(m, k, n, w, threads)
                                 : OrtGemm.int8(OrtGemm.Kind.DYNAMIC_QUANTIZE_MATMUL, m, k, n, q.q(), q.scales(),
                                 threads)) {
                        ours.setInput(a);
                        ort.setInput(a);
                        ours.run();
                        ort.run();
                        Diff d = Diff.of(ours.output(), ort.output(), 1.0);
                        // F32: summation order only. INT8: ORT quantizes A per tensor to uint8, ours per row to int8
                        boolean parity = f32 ? d.cosine() > 0.999999 && d.maxRel() < 1e-3 : d.cosine() > 0.999;
                        Timing.Result[] r = o.timing().timeSideBySide(Timing.settleFor(threads), ours::run,
                                ort::run);
                        double to = o.seconds(r[0]), tr = o.seconds(r[1]);
                        double ratio = tr / to;
                        report.row(ORT_TARGET, parity && ratio >= 1.0, shape(s), dtype, "" + threads,
                                Report.f("%.1f", flop(s) / to / 1e9), Report.f("%.1f", flop(s) / tr / 1e9),
                                Report.f("%.2fx", ratio),
                                (parity ? "ok " : "FAILED ") + Report.f("cos=%.6f maxRel=%.1e", d.cosine(), d.maxRel()),
                                ours.name() + " / " + ort.name());
                    }
                }
            }
        }
        report.endTable();
    }

    static void matvec(QuickBench.Options o, Report report) {
        int k = 4096, n = 4096;
        report.table("Matrix-vector 1x4096x4096: INT8 weights vs F32 weights (target >= 2.5x the faster F32; memory-bound)",
                new int[] {-26, 7, 9, 11, 8, 7}, "weights (kernel)", "threads", "us/call", "weight GB/s", "vs F32",
                "target");
        float[] a = Data.floats(31, k, 1), w = Data.floats(32, n * k, 1);
        Data.Q8 q = Data.quantizeRows(w, n, k);
        for (int threads : threadCounts(o.threads())) {
            try (WorkerPool pool = new WorkerPool(threads);
                 Gemm f32 = OurGemm.f32Unpacked(1, k, n, w, pool);
                 Gemm f32p = OurGemm.f32(1, k, n, w, pool);
                 Gemm q8f = OurGemm.q8xf32(1, k, n, q, pool);
                 Gemm q8q8 = OurGemm.q8xq8(1, k, n, q, pool)) {
                double tf = Double.MAX_VALUE;
                List<Gemm> all = List.of(f32, f32p, q8f, q8q8);
                for (Gemm g : all) {
                    g.setInput(a);
                }
                Timing.Result[] r = o.timing().timeSideBySide(Timing.settleFor(threads),
                        all.stream().map(g -> (Runnable) g::run).toArray(Runnable[]::new));
                for (int gi = 0; gi < all.size(); gi++) {
                    Gemm g = all.get(gi);
                    double sec = o.seconds(r[gi]);
                    boolean isF32 = g == f32 || g == f32p;
                    if (isF32) {
                        tf = Math.min(tf, sec);
                    }
                    double bytes = (double) n * k * (isF32 ? 4 : 1) + (isF32 ? 0 : 4.0 * n); // weights + scales
                    report.row(MATVEC_TARGET, isF32 ? null : tf / sec >= 2.5, g.name(), "" + threads,
                            Report.f("%.0f", sec * 1e6), Report.f("%.1f", bytes / sec / 1e9),
                            isF32 ? "" : Report.f("%.2fx", tf / sec));
                }
            }
        }
        report.endTable();
    }
}
