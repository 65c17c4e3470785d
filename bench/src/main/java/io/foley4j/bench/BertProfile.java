package io.foley4j.bench;

import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Activation;
import io.foley4j.kernels.Attention;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.Mem;
import io.foley4j.models.bert.BertConfig;
import io.foley4j.models.bert.BertModel;
import io.foley4j.models.bert.BertState;
import io.foley4j.models.convert.ConvertOptions;
import io.foley4j.models.convert.ModelConverter;
import io.foley4j.models.text.BatchEncoding;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the time of an all-MiniLM-L6-v2 FP32 forward goes (issue 3's speed target): per {@link BertModel.Stage},
 * timed by the state's opt-in profiling hook, at 8, 32 and 128 tokens, batch 1; each stage next to its ideal
 * (GEMMs: the same linear layer timed alone on random data, so "x ideal" is the forward's overhead over the bare
 * GEMM; attention: its two GEMMs' FLOPs at the FFN GEMM's rate; memory-bound stages: the bytes they must read and
 * write at 10 GB/s). Then the attention of one layer split into the steps of {@code AttentionOps.attentionGemm}
 * (same kernels, real shapes), the streaming kernel vs the GEMM form over sequence lengths, and GELU alone.
 * <p>{@code bin/foley bench-class BertProfile [--threads N] [--seconds S] [--kernels]}; {@code --kernels} skips the
 * whole-model part. Times are medians (forward) or means (stages); on a shared machine, run it twice.
 */
final class BertProfile {
    private BertProfile() {}

    static final double BYTES_PER_S = 10e9;

    public static void main(String[] args) throws Exception {
        int threads = 1;
        double seconds = 3;
        boolean forward = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--kernels" -> forward = false;
                default -> throw new IllegalArgumentException("BertProfile: unknown argument " + args[i]
                        + " (--threads N, --seconds S, --kernels)");
            }
        }
        Path dir = Files.createTempDirectory("foley4j-bertprofile");
        Path onnx = dir.resolve("model.onnx"), conv = dir.resolve("model.safetensors");
        try (InputStream in = BertProfile.class.getResourceAsStream(BertBench.ONNX)) {
            if (in == null) throw new IllegalStateException(BertBench.ONNX + " is not on the class path");
            Files.copy(in, onnx);
        }
        ModelConverter.convert(onnx, conv, ConvertOptions.defaults());
        List<BertBench.Input> inputs = BertBench.inputs().stream().filter(BertBench.Input::latency).toList();
        System.out.printf("BertProfile: all-MiniLM-L6-v2 FP32, batch 1, %d thread(s); ideal: GEMMs as the same"
                + " linear layer alone, attention FLOPs at that rate, memory-bound stages at %.0f GB/s%n", threads,
                BYTES_PER_S / 1e9);
        try (WorkerPool pool = new WorkerPool(threads); BertModel model = BertModel.load(conv, pool);
             BertState s = model.newState(1, 128)) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (forward && System.nanoTime() < end) for (BertBench.Input in : inputs) model.forward(in.enc(), s);
            for (BertBench.Input in : inputs) if (forward) profile(model, s, in.enc(), seconds, pool);
            for (BertBench.Input in : inputs) attentionSteps(model.config(), in.enc().seqLen(), seconds);
            for (int seq : new int[] {8, 16, 24, 32, 48, 64, 128}) attentionKinds(model.config(), seq, seconds, pool);
            gelu(model.config(), seconds);
        } finally {
            Files.deleteIfExists(onnx);
            Files.deleteIfExists(conv);
            Files.deleteIfExists(dir);
        }
    }

    /** Median forward time without profiling, then per-stage means with it. */
    private static void profile(BertModel model, BertState s, BatchEncoding enc, double seconds, WorkerPool pool) {
        int reps = Math.max(5, (int) (seconds / Math.max(1e-4, once(model, s, enc))));
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) t[i] = once(model, s, enc);
        Arrays.sort(t);
        double median = t[reps / 2];
        s.profile(true);
        for (int i = 0; i < reps; i++) model.forward(enc, s);
        long[] ns = s.stageNanos();
        s.profile(false);
        BertConfig c = model.config();
        int m = enc.seqLen(), h = c.hidden(), f = c.intermediate(), layers = c.layers();
        double profiled = Arrays.stream(ns).sum() / 1e6 / reps;
        System.out.printf("%n%d tokens: forward %.3f ms (median of %d, profiling off); profiled sum %.3f ms%n", m,
                median * 1e3, reps, profiled);
        System.out.printf("  %-17s %9s %7s %9s %8s%n", "stage", "ms", "share", "ideal ms", "x ideal");
        // GEMM ideal: the same linear layer alone (LinearOps.linear, packed weights, random data), x layers
        double sq = gemm(pool, m, h, h, seconds), up = gemm(pool, m, f, h, seconds), down = gemm(pool, m, h, f, seconds);
        double gflops = 2.0 * m * h * f / up / 1e9;
        System.out.printf("  alone: [%d x %d] x [%d x %d]^T %.3f ms, [.. x %d]^T %.3f ms (%.0f GFLOP/s), [.. x %d]^T"
                + " %.3f ms%n", m, h, h, h, sq * 1e3, f, up * 1e3, gflops, f, down * 1e3);
        // the same, each call on the next of `layers` weight copies, as in the forward (weights not in L2)
        double sqCold = gemm(pool, m, h, h, layers, seconds), upCold = gemm(pool, m, f, h, layers, seconds);
        double downCold = gemm(pool, m, h, f, layers, seconds);
        System.out.printf("  alone, weights rotating over %d copies: %.3f ms, %.3f ms (%.0f GFLOP/s), %.3f ms%n",
                layers, sqCold * 1e3, upCold * 1e3, 2.0 * m * h * f / upCold / 1e9, downCold * 1e3);
        // the model's own FFN_IN weights of every layer in turn, on random x (the forward's GEMMs take 1.1-1.25x
        // these times; neither cold weights nor the model's weights, nor a LayerNorm before or a GELU after each
        // call, reproduced that alone)
        try (Arena a = Arena.ofShared()) {
            Tensor x = rand(a, 5, m, h), y = Tensor.allocate(a, DType.F32, m, f);
            java.util.List<io.foley4j.models.bert.BertWeights.Layer> ls = model.weights().layers();
            int[] next = {0};
            double own = time(() -> {
                io.foley4j.models.bert.BertWeights.Linear l = ls.get(next[0]++ % ls.size()).intermediate();
                LinearOps.linear(pool, x, l.weight(), l.bias(), y);
            }, seconds / 4);
            System.out.printf("  alone, the model's intermediate weights (%s): %.3f ms%n",
                    ls.get(0).intermediate().weight().dtype(), own * 1e3);
        }
        double act = 4.0 * m * layers / BYTES_PER_S;         // seconds per float of every layer
        double heads = c.heads(), hd = c.headDim();
        for (BertModel.Stage st : BertModel.Stage.values()) {
            double ms = ns[st.ordinal()] / 1e6 / reps;
            double ideal = switch (st) {
                case EMBED -> 4.0 * m * h * 5 / BYTES_PER_S;                  // 3 rows read, written, normalized
                case QKV -> 3 * sq * layers;
                case ATTENTION -> 2 * 2.0 * m * m * hd * heads * layers / (gflops * 1e9);   // at the FFN GEMM's rate
                case ATTENTION_OUTPUT -> sq * layers;
                case FFN_IN -> up * layers;
                case FFN_OUT -> down * layers;
                case ACTIVATION -> act * f * 2;                                 // read + write
                case RESIDUAL -> act * h * 3 * 2;                               // 2 adds: 2 reads + 1 write
                case LAYER_NORM -> act * h * 2 * 2;                             // 2 norms: read + write
            } * 1e3;
            System.out.printf("  %-17s %9.3f %6.1f%% %9.3f %8.2f%n", st, ms, 100 * ms / profiled, ideal, ms / ideal);
        }
    }

    /** Seconds of one y[m, n] = x[m, k] w[n, k]^T + b with packed F32 weights. */
    private static double gemm(WorkerPool pool, int m, int n, int k, double seconds) {
        return gemm(pool, m, n, k, 1, seconds);
    }

    /** {@link #gemm} with each call on the next of {@code copies} weight matrices. */
    private static double gemm(WorkerPool pool, int m, int n, int k, int copies, double seconds) {
        try (Arena a = Arena.ofShared() /* the pool's threads read it */) {
            Tensor x = rand(a, 5, m, k), b = rand(a, 7, n);
            Tensor[] w = new Tensor[copies];
            for (int i = 0; i < copies; i++) w[i] = LinearOps.packF32(a, rand(a, 6 + i, n, k));
            Tensor y = Tensor.allocate(a, DType.F32, m, n);
            int[] next = {0};
            return time(() -> LinearOps.linear(pool, x, w[next[0]++ % copies], b, y), seconds / 4);
        }
    }

    private static double once(BertModel model, BertState s, BatchEncoding enc) {
        long t0 = System.nanoTime();
        model.forward(enc, s);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * One layer's attention (all heads) at seq tokens, step by step, 1 thread: the steps of
     * {@code AttentionOps.attentionGemm}'s per-head work on random q, k, v.
     */
    private static void attentionSteps(BertConfig c, int seq, double seconds) {
        int heads = c.heads(), hd = c.headDim(), width = heads * hd, sqp = panels(seq), sk = seq;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment q = Mem.floats(a, (long) seq * width), k = Mem.floats(a, (long) seq * width);
            MemorySegment v = Mem.floats(a, (long) seq * width), out = Mem.floats(a, (long) seq * width);
            MemorySegment mask = Mem.floats(a, seq);
            java.util.Random r = new java.util.Random(1);
            for (long i = 0; i < (long) seq * width; i++) {
                Mem.setF32(q, i, (float) r.nextGaussian());
                Mem.setF32(k, i, (float) r.nextGaussian());
                Mem.setF32(v, i, (float) r.nextGaussian());
            }
            MemorySegment qh = Mem.floats(a, (long) sqp * hd), qp = Mem.floats(a, (long) sqp * hd);
            MemorySegment kh = Mem.floats(a, (long) sk * hd), vt = Mem.floats(a, (long) hd * sk);
            MemorySegment e = Mem.floats(a, (long) sqp * sk), ot = Mem.floats(a, (long) hd * sqp);
            MemorySegment inv = Mem.floats(a, sqp);
            long[] ns = new long[6];
            String[] names = {"gather q,k,v^T", "scale, pack q", "S^T = k q^T", "mask, exp, sums", "(E v)^T", "scatter*inv"};
            long rowBytes = 4L * width, hdBytes = 4L * hd, ePanel = 4L * sk * Matmul.PANEL;
            long end = System.nanoTime() + (long) (seconds * 1e9 / 3);
            int reps = 0;
            for (boolean warm = true; ; ) {
                for (int h = 0; h < heads; h++) {
                    long col = 4L * h * hd, t0 = System.nanoTime();
                    for (int i = 0; i < seq; i++) MemorySegment.copy(q, col + i * rowBytes, qh, i * hdBytes, hdBytes);
                    for (int i = 0; i < sk; i++) {
                        long src = col + i * rowBytes;
                        MemorySegment.copy(k, src, kh, i * hdBytes, hdBytes);
                        for (int j = 0; j < hd; j++) Mem.setF32(vt, (long) j * sk + i, v.get(Mem.F32, src + j * 4L));
                    }
                    long t1 = System.nanoTime();
                    Elementwise.scale(qh, 0.17f, qh, 0, seq * hd);
                    Matmul.packF32(qh, qp, sqp, hd);
                    long t2 = System.nanoTime(), tExp = 0;
                    Matmul.matmulF32PackedPanels(kh, qp, e, sk, sqp, hd);
                    long x0 = System.nanoTime();
                    for (int cq = 0, pi = 0; cq < sqp; cq += Matmul.PANEL, pi++) {
                        MemorySegment ep = e.asSlice(pi * ePanel, ePanel);
                        Attention.expColumns(ep, sk, Matmul.PANEL, mask, inv.asSlice(4L * cq, 4L * Matmul.PANEL));
                    }
                    tExp += System.nanoTime() - x0;
                    long t4 = System.nanoTime();
                    Matmul.matmulF32Packed(vt, e, null, ot, hd, sqp, sk, 0, hd, 0, sqp);
                    long t5 = System.nanoTime();
                    for (int i = 0; i < seq; i++) {
                        float ri = Mem.getF32(inv, i);
                        for (int j = 0; j < hd; j++) Mem.setF32(out, (long) i * width + h * hd + j, Mem.getF32(ot, (long) j * sqp + i) * ri);
                    }
                    long t6 = System.nanoTime();
                    if (!warm) {
                        ns[0] += t1 - t0; ns[1] += t2 - t1; ns[2] += t4 - t2 - tExp;
                        ns[3] += tExp; ns[4] += t5 - t4; ns[5] += t6 - t5;
                    }
                }
                if (!warm) reps++;
                if (System.nanoTime() > end) {
                    if (!warm) break;
                    warm = false;
                    end = System.nanoTime() + (long) (seconds * 1e9 / 3);
                }
            }
            double total = Arrays.stream(ns).sum() / 1e6 / reps;
            System.out.printf("%nattention of one layer at %d tokens, steps of the GEMM form in isolation, 1 thread:"
                    + " %.3f ms (x%d layers = %.3f ms)%n", seq, total, c.layers(), total * c.layers());
            for (int i = 0; i < ns.length; i++) {
                double ms = ns[i] / 1e6 / reps;
                System.out.printf("  %-17s %9.4f %6.1f%%%n", names[i], ms, 100 * ms / total);
            }
        }
    }

    /** One layer's attention by the streaming kernel and by the GEMM formulation, on random inputs. */
    private static void attentionKinds(BertConfig c, int seq, double seconds, WorkerPool pool) {
        int heads = c.heads(), hd = c.headDim(), width = heads * hd;
        try (Arena a = Arena.ofShared() /* the pool's threads read it */) {
            Tensor q = rand(a, 1, 1, seq, width), k = rand(a, 2, 1, seq, width), v = rand(a, 3, 1, seq, width);
            Tensor out = Tensor.allocate(a, DType.F32, 1, seq, width), mask = Tensor.allocate(a, DType.F32, 1, seq);
            AttentionOps.Scratch st = AttentionOps.Scratch.create(a, pool.threads(), hd);
            AttentionOps.GemmScratch gs = AttentionOps.GemmScratch.create(a, pool.threads(), seq, seq, hd);
            float scale = AttentionOps.defaultScale(hd);
            double stream = time(() -> AttentionOps.attention(q, k, v, mask, false, scale, out, heads, heads, st, pool),
                    seconds / 4);
            double gemm = time(() -> AttentionOps.attentionGemm(q, k, v, mask, scale, out, heads, gs, pool), seconds / 4);
            System.out.printf("attention of one layer at %d tokens: streaming %.4f ms, GEMM form %.4f ms%n", seq,
                    stream * 1e3, gemm * 1e3);
        }
    }

    /** GELU over one FFN activation [128, intermediate]. */
    private static void gelu(BertConfig c, double seconds) {
        int n = 128 * c.intermediate();
        try (Arena a = Arena.ofConfined()) {
            Tensor x = rand(a, 4, n);
            double t = time(() -> Activation.gelu(x.data(), x.data(), 0, n), seconds / 4);
            System.out.printf("gelu over %d floats: %.4f ms, %.2f ns per element%n", n, t * 1e3, t * 1e9 / n);
        }
    }

    /** A tensor of standard normal values (fixed seed), as input for timing. */
    static Tensor rand(Arena a, int seed, int... shape) {
        Tensor t = Tensor.allocate(a, DType.F32, shape);
        java.util.Random r = new java.util.Random(seed);
        for (long i = 0; i < t.numel(); i++) Mem.setF32(t.data(), i, (float) r.nextGaussian());
        return t;
    }

    /** Median seconds of {@code r} after a warm-up of half the budget. */
    private static double time(Runnable r, double seconds) {
        long end = System.nanoTime() + (long) (seconds / 2 * 1e9);
        while (System.nanoTime() < end) r.run();
        long t0 = System.nanoTime();
        r.run();
        int reps = (int) Math.max(5, seconds / 2 / Math.max(1e-7, (System.nanoTime() - t0) / 1e9));
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    private static int panels(int n) {
        return (n + Matmul.PANEL - 1) / Matmul.PANEL * Matmul.PANEL;
    }
}
