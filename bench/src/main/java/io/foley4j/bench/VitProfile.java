package io.foley4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.vit.Vit;
import io.foley4j.models.vit.VitConfig;
import io.foley4j.models.vit.VitState;
import io.foley4j.models.vit.VitWeights;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the time of a ViT FP32 forward goes (issue 4's speed target), ours next to ONNX Runtime's, in one JVM on the
 * files {@link VitBench} prepares ({@code .cache/bench/vit}; run {@code bin/foley bench-class VitBench --models b16}
 * once first):
 * <ul>
 *   <li>ours: per {@link Vit.Stage}, timed by {@link VitState#profile}, and each block's linear layers timed alone on
 *       the first block's weights (so "x alone" is the forward's overhead over the bare GEMMs);</li>
 *   <li>ORT: its own profiler's kernel time per operator type, summed over the same number of runs.</li>
 * </ul>
 * {@code bin/foley bench-class VitProfile [--model b16|l14] [--threads N] [--batch B] [--seconds S]}. Times are
 * means per forward (stage sums) and medians (whole forwards).
 */
final class VitProfile {
    private VitProfile() {}

    public static void main(String[] args) throws Exception {
        VitBench.Model model = VitBench.Model.B16;
        int threads = 1, batch = 1;
        double seconds = 6;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = VitBench.Model.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("VitProfile: unknown argument " + args[i]
                        + " (--model b16|l14, --threads N, --batch B, --seconds S)");
            }
        }
        VitBench.Cache files = VitBench.Cache.of(LstmBench.root().resolve(VitBench.CACHE), model);
        if (!Files.exists(files.f32()) || !Files.exists(files.onnx())) {
            throw new IllegalStateException("VitProfile: " + files.f32() + " or " + files.onnx() + " is missing; run"
                    + " bin/foley bench-class VitBench --models " + model.tag + " once to make them");
        }
        VitConfig c = model.config();
        float[] pixels = VitBench.heldOutPixels(batch);
        System.out.printf("VitProfile: %s FP32 at %d, batch %d, %d thread(s), ORT %s%n", model.title, c.imageSize(),
                batch, threads, OrtVit.version());
        int reps = ours(files.f32(), c, pixels, batch, threads, seconds);
        ort(files.onnx(), c, pixels, batch, threads, seconds, reps);
    }

    /** Profiles our forward; returns the number of profiled runs (ORT's profile uses as many). */
    private static int ours(Path file, VitConfig c, float[] pixels, int batch, int threads, double seconds)
            throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofShared();
             WorkerPool pool = new WorkerPool(threads)) {
            Vit vit = new Vit(VitWeights.load(f, arena, true));
            int s = c.imageSize();
            Tensor px = Tensor.ofFloats(arena, pixels, batch, 3, s, s);
            try (VitState st = vit.newState(batch, pool)) {
                Runnable run = () -> vit.forward(st, px, pool);
                double median = median(run, seconds);
                int reps = Math.max(5, (int) (seconds / median));
                st.profile(true);
                for (int i = 0; i < reps; i++) run.run();
                long[] ns = st.stageNanos();
                st.profile(false);
                double sum = Arrays.stream(ns).sum() / 1e6 / reps;
                System.out.printf("%nours: forward %.2f ms (median, profiling off), %.2f images/s; stage sum %.2f ms"
                        + " (mean of %d)%n", median * 1e3, batch / median, sum, reps);
                // each block's linears alone on the first block's weights, random x of the forward's shape
                VitWeights.Block b0 = vit.weights().blocks().get(0);
                int m = batch * st.tokenCount(), d = c.hidden(), ff = c.mlp(), layers = vit.weights().blocks().size();
                Tensor xd = BertProfile.rand(arena, 3, m, d), xf = BertProfile.rand(arena, 4, m, ff);
                Tensor yd = Tensor.allocate(arena, DType.F32, m, d), yf = Tensor.allocate(arena, DType.F32, m, ff);
                double sq = median(() -> LinearOps.linear(pool, xd, b0.q().weight(), b0.q().bias(), yd), seconds / 4);
                double up = median(() -> LinearOps.linear(pool, xd, b0.fc1().weight(), b0.fc1().bias(), yf),
                        seconds / 4);
                double down = median(() -> LinearOps.linear(pool, xf, b0.fc2().weight(), b0.fc2().bias(), yd),
                        seconds / 4);
                System.out.printf("  linears alone: [%d x %d] x [%d x %d]^T %.3f ms (%.0f GFLOP/s), fc1 %.3f ms"
                        + " (%.0f GFLOP/s), fc2 %.3f ms (%.0f GFLOP/s)%n", m, d, d, d, sq * 1e3, gf(m, d, d, sq),
                        up * 1e3, gf(m, ff, d, up), down * 1e3, gf(m, d, ff, down));
                // the same, each call on the next block's weights, as in the forward (weights streamed from memory)
                java.util.List<VitWeights.Block> blocks = vit.weights().blocks();
                int[] next = {0, 0};
                double upCold = median(() -> {
                    VitWeights.Linear l = blocks.get(next[0]++ % layers).fc1();
                    LinearOps.linear(pool, xd, l.weight(), l.bias(), yf);
                }, seconds / 4);
                double sqCold = median(() -> {
                    VitWeights.Linear l = blocks.get(next[1]++ % layers).q();
                    LinearOps.linear(pool, xd, l.weight(), l.bias(), yd);
                }, seconds / 4);
                System.out.printf("  linears alone, each call on the next of %d blocks' weights: q %.3f ms (%.2fx),"
                        + " fc1 %.3f ms (%.2fx)%n", layers, sqCold * 1e3, sqCold / sq, upCold * 1e3, upCold / up);
                // every linear of the forward in its order, nothing between them
                Tensor yq = Tensor.allocate(arena, DType.F32, m, d), yk = Tensor.allocate(arena, DType.F32, m, d);
                Tensor yv = Tensor.allocate(arena, DType.F32, m, d);
                double chain = median(() -> {
                    for (VitWeights.Block b : blocks) {
                        LinearOps.linear(pool, xd, b.q().weight(), b.q().bias(), yq);
                        LinearOps.linear(pool, xd, b.k().weight(), b.k().bias(), yk);
                        LinearOps.linear(pool, xd, b.v().weight(), b.v().bias(), yv);
                        LinearOps.linear(pool, yv, b.out().weight(), b.out().bias(), yd);
                        LinearOps.linear(pool, yd, b.fc1().weight(), b.fc1().bias(), yf);
                        LinearOps.linear(pool, yf, b.fc2().weight(), b.fc2().bias(), xd);
                    }
                }, seconds / 2);
                System.out.printf("  the forward's linears alone, in its order: %.3f ms (%.2fx their times alone)%n",
                        chain * 1e3, chain / ((4 * sq + up + down) * layers));
                System.out.printf("  %-17s %9s %7s %9s %8s%n", "stage", "ms", "share", "alone ms", "x alone");
                for (Vit.Stage stage : Vit.Stage.values()) {
                    double ms = ns[stage.ordinal()] / 1e6 / reps;
                    double alone = switch (stage) {
                        case QKV -> 3 * sq * layers;
                        case ATTENTION_OUTPUT -> sq * layers;
                        case FFN_IN -> up * layers;
                        case FFN_OUT -> down * layers;
                        default -> Double.NaN;
                    };
                    System.out.printf("  %-17s %9.3f %6.1f%% %9s %8s%n", stage, ms, 100 * ms / sum,
                            Double.isNaN(alone) ? "" : String.format("%.3f", alone * 1e3),
                            Double.isNaN(alone) ? "" : String.format("%.2fx", ms / (alone * 1e3)));
                }
                return reps;
            }
        }
    }

    /** ORT's own profile over {@code reps} runs after warming up: kernel time per operator type. */
    private static void ort(Path onnx, VitConfig c, float[] pixels, int batch, int threads, double seconds, int reps)
            throws Exception {
        Path dir = Files.createTempDirectory("foley4j-vitprofile");
        double median;
        Path trace;
        try (OrtVit plain = new OrtVit(onnx, c, threads); OrtVit.Batch run = plain.bind(pixels, batch)) {
            median = median(run::run, seconds);
        }
        try (OrtVit ort = new OrtVit(onnx, c, threads, dir.resolve("ort")); OrtVit.Batch run = ort.bind(pixels, batch)) {
            for (int i = 0; i < reps; i++) run.run(); // warm-up; the trace's first runs are dropped below
            for (int i = 0; i < reps; i++) run.run();
            trace = ort.endProfiling();
        }
        Map<String, double[]> byOp = new TreeMap<>(); // op type -> {microseconds, nodes}
        int runs = 0;
        double runMicros = 0;
        JsonNode events = new ObjectMapper().readTree(trace.toFile());
        // the trace holds 2 x reps runs: keep the second half (the last `reps` model_run events and what follows)
        int seen = 0;
        for (JsonNode e : events) {
            if ("model_run".equals(e.path("name").asText())) seen++;
        }
        int skip = seen - reps, run = 0;
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            if ("model_run".equals(name)) {
                if (++run > skip) {
                    runs++;
                    runMicros += e.path("dur").asDouble();
                }
                continue;
            }
            // node events of a run come before its model_run event
            if (run < skip || !"Node".equals(e.path("cat").asText()) || !name.endsWith("_kernel_time")) continue;
            String op = e.path("args").path("op_name").asText("?");
            if ("MatMul".equals(op)) { // which MatMul: the node name with the layer number dropped
                op += " " + name.substring(0, name.length() - "_kernel_time".length()).replaceAll("\\.\\d+", "");
            }
            double[] acc = byOp.computeIfAbsent(op, k -> new double[2]);
            acc[0] += e.path("dur").asDouble();
            acc[1]++;
        }
        Files.deleteIfExists(trace);
        Files.deleteIfExists(dir);
        final int n = runs;
        double total = byOp.values().stream().mapToDouble(a -> a[0]).sum() / 1e3 / n;
        System.out.printf("%nORT: forward %.2f ms (median, profiling off), %.2f images/s; kernel sum %.2f ms, model_run"
                + " %.2f ms (mean of %d profiled runs)%n", median * 1e3, batch / median, total, runMicros / 1e3 / runs,
                runs);
        System.out.printf("  %-60s %9s %7s %7s%n", "operator", "ms", "share", "nodes");
        byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).forEach(en -> {
            double ms = en.getValue()[0] / 1e3 / n;
            System.out.printf("  %-60s %9.3f %6.1f%% %7.0f%n", en.getKey(), ms, 100 * ms / total,
                    en.getValue()[1] / n);
        });
    }

    private static double gf(int m, int n, int k, double s) {
        return 2.0 * m * n * k / s / 1e9;
    }

    /**
     * Median seconds of {@code r} after warming it up for {@code seconds} (with 2 threads, 2 s of warm-up left the
     * forward 20% slower than it runs once C2 has compiled everything).
     */
    private static double median(Runnable r, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) r.run();
        double[] t = new double[Math.max(5, (int) Math.min(200, seconds / 2 / once(r)))];
        for (int i = 0; i < t.length; i++) t[i] = once(r);
        Arrays.sort(t);
        return t[t.length / 2];
    }

    private static double once(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }
}
