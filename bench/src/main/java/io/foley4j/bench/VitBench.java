package io.foley4j.bench;

import ai.onnxruntime.OrtException;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.vit.HfVitConverter;
import io.foley4j.models.vit.Vit;
import io.foley4j.models.vit.VitConfig;
import io.foley4j.models.vit.VitQuantizer;
import io.foley4j.models.vit.VitState;
import io.foley4j.models.vit.VitWeights;
import io.foley4j.pipeline.video.ImagePreprocessor;
import io.foley4j.pipeline.video.RgbImage;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * ViT images/s at 224 (issue 4), side by side in one run: CLIP ViT-B/16 and ViT-L/14 with fixed hash weights, batch 1
 * and 8, 1 and all threads, ours FP32 vs ours static INT8 vs ONNX Runtime running the same model exported to ONNX.
 * <ol>
 *   <li>Files (in {@value #CACHE}, never committed, made once and reused): {@value #EXPORT} writes the Hugging Face
 *       safetensors and the ONNX export; {@link HfVitConverter} makes our F32 file; {@link VitQuantizer} calibrates on
 *       the 8 committed calibration frames and writes the static INT8 file.</li>
 *   <li>Checks before timing, in this JVM: parity of ours FP32 vs ORT on one held-out frame (embedding, pooled output,
 *       tokens); INT8 vs FP32 embedding cosine on the 6 held-out frames and the INT8/FP32 size ratio.</li>
 *   <li>Timing: each implementation in its own child JVM ({@link VitChild}, Java heap capped at
 *       {@value #CHILD_HEAP} for all three: our weights and activations are off-heap, and an uncapped heap grows by
 *       hundreds of MB of short-lived Vector API boxes while C2 has not compiled the kernels yet), so each peak RSS
 *       (VmHWM) is that implementation's alone: the JVM, the weights as that implementation holds them (ours FP32: the
 *       packed copy plus the mapped file's pages read while packing; INT8: the mapped file; ORT: its session) and
 *       the scratch for batch 8.</li>
 * </ol>
 * Standalone: {@code VitBench [--models b16,l14] [--rounds N] [QuickBench options]}.
 */
final class VitBench {
    private VitBench() {}

    static final String FP32_TARGET = "ViT FP32 >= 1.0x ONNX Runtime (images/s)";
    static final String INT8_TARGET = "ViT INT8 weights <= 30% of FP32 size, cosine >= 0.99";
    static final String CACHE = ".cache/bench/vit", EXPORT = "bench/src/main/python/vit_export.py";
    static final String FRAMES = "models/src/test/resources/vit/";
    static final int[] BATCHES = {1, 8};
    static final double MAX_SIZE_RATIO = 0.30, MIN_COSINE = 0.99;
    /** Parity of ours FP32 vs ORT: tokens within this fraction of their largest magnitude. */
    static final double PARITY_REL = 1e-3;
    static final String CHILD_HEAP = "-Xmx256m";

    enum Model {
        B16("b16", "ViT-B/16", VitConfig.clipB16()),
        L14("l14", "ViT-L/14", VitConfig.clipL14());

        final String tag, title;
        private final VitConfig config;

        Model(String tag, String title, VitConfig config) {
            this.tag = tag;
            this.title = title;
            this.config = config;
        }

        VitConfig config() { return config; }

        static Model of(String tag) {
            for (Model m : values()) {
                if (m.tag.equals(tag)) return m;
            }
            throw new IllegalArgumentException("unknown ViT model '" + tag + "' (expected b16 or l14)");
        }
    }

    /** The cache files of one model: HF checkpoint, ONNX export, our F32 and static INT8 engine files. */
    record Cache(Path hf, Path onnx, Path f32, Path int8) {
        static Cache of(Path dir, Model m) {
            String b = "clip_" + m.tag;
            return new Cache(dir.resolve(b + ".safetensors"), dir.resolve(b + ".onnx"),
                    dir.resolve(b + ".f32.safetensors"), dir.resolve(b + ".int8.safetensors"));
        }
    }

    public static void main(String[] args) throws Exception {
        List<Model> models = new ArrayList<>(List.of(Model.values()));
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--models") && i + 1 < args.length) {
                models.clear();
                for (String s : args[++i].split(",")) models.add(Model.of(s.trim()));
            } else if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
                if (rounds < 1) throw new IllegalArgumentException("VitBench: --rounds must be >= 1, got " + rounds);
            } else {
                rest.add(args[i]);
            }
        }
        QuickBench.Options o = QuickBench.Options.parse(rest.toArray(String[]::new));
        Report report = new Report(System.out);
        long start = System.nanoTime();
        run(o, report, models);
        report.targetSummary();
        report.note(Report.f("total %.0f s", (System.nanoTime() - start) / 1e9));
        if (o.out() != null) {
            report.writeMarkdown(o.out(), "Foley4J ViT bench");
        }
    }

    static void run(QuickBench.Options o, Report report) throws IOException, OrtException, InterruptedException {
        run(o, report, List.of(Model.values()));
    }

    static void run(QuickBench.Options o, Report report, List<Model> models)
            throws IOException, OrtException, InterruptedException {
        Path root = LstmBench.root(), dir = root.resolve(CACHE);
        Files.createDirectories(dir);
        Path ignore = root.resolve(".cache/.gitignore");
        if (!Files.exists(ignore)) {
            Files.writeString(ignore, "*\n"); // the folder ignores itself, as scripts/fetch-test-data.sh does
        }
        int[] threads = o.threads() > 1 ? new int[] {1, o.threads()} : new int[] {1};
        for (Model m : models) {
            Cache f = Cache.of(dir, m);
            if (!prepare(root, m, f, o, report)) continue;
            checks(m, f, o, report);
            timing(m, f, threads, o, report);
        }
    }

    // ---- files ----

    /** Makes the missing cache files of {@code m}; false (with a note saying why) when the export cannot run. */
    static boolean prepare(Path root, Model m, Cache f, QuickBench.Options o, Report report)
            throws IOException, InterruptedException {
        if (!Files.exists(f.hf()) || !Files.exists(f.onnx())) {
            long t0 = System.nanoTime();
            List<String> cmd = List.of("/usr/bin/python3", root.resolve(EXPORT).toString(), m.tag,
                    f.hf().getParent().toString());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .start();
            } catch (IOException e) {
                report.note(m.title + ": skipped, cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
                return false;
            }
            int rc = p.waitFor();
            if (rc != 0 || !Files.exists(f.onnx())) {
                report.note(m.title + ": skipped, " + String.join(" ", cmd) + " exited with " + rc
                        + " (needs Debian's python3-torch)");
                return false;
            }
            report.note(Report.f("%s: exported %s and %s in %.0f s", m.title, f.hf().getFileName(),
                    f.onnx().getFileName(), (System.nanoTime() - t0) / 1e9));
        }
        if (stale(f.f32(), f.hf())) {
            Path tmp = f.f32().resolveSibling(f.f32().getFileName() + ".part");
            HfVitConverter.convert(f.hf(), m.config(), tmp);
            Files.move(tmp, f.f32(), StandardCopyOption.REPLACE_EXISTING);
        }
        if (stale(f.int8(), f.f32())) {
            long t0 = System.nanoTime();
            Path tmp = f.int8().resolveSibling(f.int8().getFileName() + ".part");
            try (SafetensorsFile file = SafetensorsFile.open(f.f32()); Arena arena = Arena.ofShared();
                 WorkerPool pool = new WorkerPool(o.threads())) {
                VitWeights fp32 = VitWeights.load(file, arena, false);
                Tensor calib = Tensor.ofFloats(arena, pixels(calibrationNames()), 8, 3, 224, 224);
                Map<String, Float> ranges = VitQuantizer.calibrate(new Vit(fp32.pack(arena)), calib, 8, pool);
                VitQuantizer.quantize(fp32, ranges, arena).write(tmp, "static int8, calibrated on " + FRAMES
                        + "calib_0..7.jpg");
            }
            Files.move(tmp, f.int8(), StandardCopyOption.REPLACE_EXISTING);
            report.note(Report.f("%s: calibrated and wrote %s in %.0f s", m.title, f.int8().getFileName(),
                    (System.nanoTime() - t0) / 1e9));
        }
        return true;
    }

    private static boolean stale(Path file, Path source) throws IOException {
        return !Files.exists(file)
                || Files.getLastModifiedTime(file).compareTo(
                        Files.getLastModifiedTime(source)) < 0;
    }

    // ---- checks ----

    /** Parity of ours vs ORT on one frame, INT8 vs FP32 on the held-out frames, INT8 size. */
    static void checks(Model m, Cache f, QuickBench.Options o, Report report) throws IOException, OrtException {
        VitConfig c = m.config();
        int n = heldOutNames().size(), p = c.outputDim(), d = c.hidden(), t = c.positions();
        float[] held = pixels(heldOutNames());
        float[] ours32, ours8, oursPooled, oursTokens;
        long bytes32, bytes8, linear32 = 0, linear8 = 0;
        try (SafetensorsFile f32 = SafetensorsFile.open(f.f32()); SafetensorsFile q8 = SafetensorsFile.open(f.int8());
             Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(o.threads())) {
            VitWeights w32 = VitWeights.load(f32, arena, false), w8 = VitWeights.load(q8, arena, false);
            bytes32 = w32.byteSize();
            bytes8 = w8.byteSize();
            for (VitWeights.Linear l : w32.linears()) linear32 += l.weight().data().byteSize();
            for (VitWeights.Linear l : w8.linears()) {
                linear8 += l.weight().data().byteSize() + l.weight().scales().byteSize();
            }
            Tensor x = Tensor.ofFloats(arena, held, n, 3, c.imageSize(), c.imageSize());
            Vit a = new Vit(w32.pack(arena)), b = new Vit(w8.pack(arena));
            try (VitState sa = a.newState(n, pool); VitState sb = b.newState(n, pool)) {
                a.forward(sa, x, pool);
                b.forward(sb, x, pool);
                ours32 = sa.embedding().toFloats();
                ours8 = sb.embedding().toFloats();
                oursPooled = Arrays.copyOf(sa.pooled().toFloats(), d);
                oursTokens = Arrays.copyOf(sa.tokens().toFloats(), t * d);
            }
        }
        Diff embeds, pooled, tokens;
        try (OrtVit ort = new OrtVit(f.onnx(), c, o.threads()); OrtVit.Batch one = ort.bind(held, 1)) {
            one.run();
            embeds = Diff.of(Arrays.copyOf(ours32, p), one.embeds());
            pooled = Diff.of(oursPooled, one.pooled());
            tokens = Diff.of(oursTokens, one.tokens());
        }
        double scale = 0;
        for (float v : oursTokens) scale = Math.max(scale, Math.abs(v));
        boolean parity = tokens.maxAbs() <= PARITY_REL * scale && embeds.cosine() >= 0.9999;
        report.note(Report.f("%s parity, ours FP32 vs ONNX Runtime %s on %sheldout_0.jpg: %s", m.title,
                OrtVit.version(), FRAMES, parity ? "OK" : "FAILED"));
        report.note("  image_embeds " + embeds);
        report.note("  pooler_output " + pooled);
        report.note(Report.f("  last_hidden_state %s (largest |token| %.2f, bound %.1e of it)", tokens, scale,
                PARITY_REL));

        double minCos = 1;
        int worst = 0;
        for (int i = 0; i < n; i++) {
            double cos = Diff.of(Arrays.copyOfRange(ours8, i * p, (i + 1) * p),
                    Arrays.copyOfRange(ours32, i * p, (i + 1) * p)).cosine();
            if (cos < minCos) {
                minCos = cos;
                worst = i;
            }
        }
        double ratio = (double) bytes8 / bytes32;
        report.table(m.title + " static INT8 vs FP32 (ours): weight bytes, image_embeds cosine on " + n
                + " held-out frames", new int[] {-9, 12, 12, 8, 14, 12, 7}, "weights", "FP32 MB", "INT8 MB", "ratio",
                "min cosine", "worst frame", "target");
        report.row(INT8_TARGET, ratio <= MAX_SIZE_RATIO && minCos >= MIN_COSINE, "all", mb(bytes32), mb(bytes8),
                Report.f("%.1f%%", 100 * ratio), Report.f("%.5f", minCos), "heldout_" + worst);
        report.row(INT8_TARGET, null, "linears", mb(linear32), mb(linear8),
                Report.f("%.1f%%", 100.0 * linear8 / linear32), "", "");
        report.endTable();
    }

    private static String mb(long bytes) {
        return Report.f("%.1f", bytes / 1e6);
    }

    // ---- timing ----

    /** Result of one child JVM: images/s by (threads, batch), peak and start RSS in KiB. */
    record ChildResult(Map<String, Double> rates, long peakKib, long startKib, String error) {
        /** The faster rate per measurement and the larger peak of two runs of the same child. */
        ChildResult merge(ChildResult o) {
            Map<String, Double> r = new HashMap<>(rates);
            o.rates.forEach((k, v) -> r.merge(k, v, Math::max));
            return new ChildResult(r, Math.max(peakKib, o.peakKib), Math.max(startKib, o.startKib),
                    error != null ? error : o.error);
        }
    }

    /**
     * Rounds of the three child JVMs, run in turn (FP32, INT8, ORT, FP32, ...); each rate is the best of its rounds.
     * More than one ({@code --rounds N}, standalone) lets a slow spell of a shared machine hit every implementation
     * rather than one.
     */
    static int rounds = 1;

    static void timing(Model m, Cache f, int[] threads, QuickBench.Options o, Report report)
            throws IOException, InterruptedException {
        Timing base = o.timing();
        // L/14 batch 8 takes tens of seconds per call on this machine: 3 repetitions (median of 3)
        int reps = m == Model.L14 || o.quick() ? 3 : 5;
        Map<VitChild.Impl, ChildResult> results = new EnumMap<>(VitChild.Impl.class);
        for (int round = 0; round < rounds; round++) {
            for (VitChild.Impl impl : VitChild.Impl.values()) {
                Path file = switch (impl) {
                    case FP32 -> f.f32();
                    case INT8 -> f.int8();
                    case ORT -> f.onnx();
                };
                results.merge(impl, child(impl, m, file, threads, base, reps, o.best()), ChildResult::merge);
            }
        }
        report.table(Report.f("%s (%s) at 224: images/s, %s of %d, each implementation in its own JVM%s", m.title,
                        m.config().name(), o.best() ? "best" : "median", reps,
                        rounds > 1 ? Report.f(", best of %d rounds run in turn", rounds) : ""),
                new int[] {7, 5, 10, 10, 10, 8, 8, 7}, "threads", "batch", "FP32", "INT8", "ORT", "FP32/ORT",
                "INT8/ORT", "target");
        for (int th : threads) {
            for (int b : BATCHES) {
                String key = th + "x" + b;
                Double r32 = results.get(VitChild.Impl.FP32).rates().get(key);
                Double r8 = results.get(VitChild.Impl.INT8).rates().get(key);
                Double ort = results.get(VitChild.Impl.ORT).rates().get(key);
                report.row(FP32_TARGET, r32 == null || ort == null ? null : r32 >= ort, String.valueOf(th),
                        String.valueOf(b), rate(r32), rate(r8), rate(ort), ratio(r32, ort), ratio(r8, ort));
            }
        }
        report.endTable();
        report.table(m.title + ": peak RSS of each child JVM (VmHWM; " + CHILD_HEAP + ", batch up to 8, all thread"
                        + " counts)",
                new int[] {-14, 12, 14, 12}, "implementation", "peak MB", "JVM start MB", "file MB");
        for (var e : results.entrySet()) {
            ChildResult r = e.getValue();
            Path file = e.getKey() == VitChild.Impl.ORT ? f.onnx()
                    : e.getKey() == VitChild.Impl.FP32 ? f.f32() : f.int8();
            report.row(null, null, e.getKey() == VitChild.Impl.ORT ? "ORT " + OrtVit.version() : "ours " + e.getKey(),
                    r.error() != null ? r.error() : Report.f("%.0f", r.peakKib() / 1024.0),
                    Report.f("%.0f", r.startKib() / 1024.0), mb(Files.size(file)));
        }
        report.endTable();
    }

    private static String rate(Double r) {
        return r == null ? "-" : Report.f(r >= 10 ? "%.1f" : "%.2f", r);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "-" : Report.f("%.2fx", a / b);
    }

    /** Runs {@link VitChild} in a fresh JVM with this JVM's flags and class path. */
    static ChildResult child(VitChild.Impl impl, Model m, Path file, int[] threads, Timing t, int reps, boolean best)
            throws IOException, InterruptedException {
        List<String> cmd = ChildJvm.command(CHILD_HEAP);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VitChild.class.getName(), impl.name(),
                m.tag, file.toString(), csv(threads), csv(BATCHES), String.valueOf(t.warmupSeconds()),
                String.valueOf(t.repSeconds()), String.valueOf(reps), String.valueOf(best)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Double> rates = new HashMap<>();
        long peak = -1, start = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] s = line.trim().split("\\s+");
                if (s[0].equals("RATE") && s.length == 4) {
                    rates.put(s[1] + "x" + s[2], Double.parseDouble(s[3]));
                } else if (s[0].equals("RSS") && s.length == 3) {
                    peak = Long.parseLong(s[1]);
                    start = Long.parseLong(s[2]);
                } else {
                    System.err.println("[" + impl + "] " + line);
                }
            }
        }
        int rc = p.waitFor();
        return new ChildResult(rates, peak, start, rc == 0 ? null : "exit " + rc);
    }

    private static String csv(int[] v) {
        return String.join(",", Arrays.stream(v).mapToObj(String::valueOf).toList());
    }

    // ---- frames ----

    static List<String> calibrationNames() {
        return List.of("calib_0.jpg", "calib_1.jpg", "calib_2.jpg", "calib_3.jpg", "calib_4.jpg", "calib_5.jpg",
                "calib_6.jpg", "calib_7.jpg");
    }

    static List<String> heldOutNames() {
        return List.of("heldout_0.jpg", "heldout_1.jpg", "heldout_2.jpg", "heldout_3.jpg", "heldout_4.jpg",
                "heldout_5.jpg");
    }

    /** {@code n} frames [n, 3, 224, 224]: the held-out frames repeated. */
    static float[] heldOutPixels(int n) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(heldOutNames().get(i % heldOutNames().size()));
        return pixels(names);
    }

    /** The committed 224x224 frames {@code names}, CLIP-normalized, as [N, 3, 224, 224]. */
    static float[] pixels(List<String> names) throws IOException {
        ImagePreprocessor pre = ImagePreprocessor.CLIP_224;
        float[] out = new float[names.size() * pre.outputSize()];
        Path dir = LstmBench.root().resolve(FRAMES);
        for (int i = 0; i < names.size(); i++) {
            BufferedImage img = ImageIO.read(dir.resolve(names.get(i)).toFile());
            if (img == null) {
                throw new IOException("VitBench: cannot read image " + dir.resolve(names.get(i)));
            }
            int w = img.getWidth(), h = img.getHeight();
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = img.getRGB(x, y), k = (y * w + x) * 3;
                    rgb[k] = (byte) (v >> 16);
                    rgb[k + 1] = (byte) (v >> 8);
                    rgb[k + 2] = (byte) v;
                }
            }
            pre.apply(new RgbImage(w, h, rgb), out, i * pre.outputSize());
        }
        return out;
    }
}
