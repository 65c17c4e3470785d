package io.foley4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.cache.FrameCache;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foley.StageTiming;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import io.foley4j.pipeline.foleynet.RandomFoleyNet;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.scene.Scene;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Section {@code foley} of the bench (issue 7): the product's main job and the frame cache.
 * <ul>
 *   <li>A 15 s 1280x720 H.264 clip (the rendered sample scene) -> 48 kHz WAV with the default model in mixed
 *       precision, each run in its own JVM ({@code bin/foley generate --json}) so its peak RSS (VmHWM) is the job's
 *       alone: wall time of the generate call and of the whole process (JVM start and model loading included), per
 *       stage, on 1 and 2 threads. Target: <= 15 s and <= 1.3 GB peak RSS.</li>
 *   <li>The frame cache on a looping clip (4 s, a 1 s loop): a FoleyNet with a ViT-B/16 visual encoder (fixed
 *       random weights; one sampling step so the decoder does not dominate), with and without the cache, side by
 *       side: visual-stage frames/s, the gain, and whether the two WAVs are identical bytes.</li>
 * </ul>
 */
final class FoleyBench {
    private FoleyBench() {}

    static final String TARGET = "15 s 720p clip -> WAV, default model, mixed: <= 15 s and <= 1.3 GB peak RSS";
    static final String CACHE_TARGET = "frame cache: identical output with and without it";
    static final Path DIR = Path.of(".cache", "bench", "foley");

    static void run(QuickBench.Options o, Report report) throws Exception {
        Files.createDirectories(DIR);
        mainJob(o, report);
        frameCache(o, report);
    }

    static void mainJob(QuickBench.Options o, Report report) throws Exception {
        Path clip = DIR.resolve("bouncing-720p-15s.mp4");
        if (!Files.exists(clip)) ClipWriter.write(new BouncingScene(1280, 720, 15, 1), 24, clip);
        String home = System.getenv().getOrDefault("FOLEY4J_HOME", Path.of(".cache", "foley4j").toString());
        report.table("Main job: 15 s 1280x720 H.264 -> 48 kHz WAV, default model, mixed precision, one JVM per run",
                new int[] {7, 9, 9, 9, 9, 9, 10, 10, 8}, "threads", "decode s", "text s", "templ s", "mix+wr s",
                "total s", "process s", "peak MB", "target");
        for (int threads : new int[] {1, 2}) {
            Path out = DIR.resolve("main-" + threads + ".wav");
            // bin/foley's heap cap and JVM flags (ChildJvm): the measured run is the command a user runs
            List<String> cmd = ChildJvm.command("-Xmx768m");
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.foley4j.pipeline.cli.Main",
                    "generate", "--video", clip.toString(), "--prompt", "a rubber ball bouncing on a wooden floor",
                    "--out", out.toString(), "--json", "--precision", "mixed", "--threads", String.valueOf(threads),
                    "--home", home));
            // a first run converts the text encoder once; the measured run finds it converted
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String json = new String(p.getInputStream().readAllBytes());
            int rc = p.waitFor();
            double process = (System.nanoTime() - t0) / 1e9;
            if (rc != 0) {
                report.row(TARGET, false, String.valueOf(threads), "failed (exit " + rc + ")", "", "", "", "", "", "", "");
                continue;
            }
            JsonNode r = new ObjectMapper().readTree(json);
            double decode = stage(r, "decode"), text = stage(r, "text"), templ = stage(r, "templates");
            double rest = stage(r, "mix") + stage(r, "write");
            double total = r.get("totalSeconds").asDouble();
            double peakMb = r.get("peakRssBytes").asLong() / 1048576.0;
            report.row(TARGET, total <= 15 && peakMb <= 1.3 * 1024, String.valueOf(threads), Report.f("%.2f", decode),
                    Report.f("%.2f", text), Report.f("%.2f", templ), Report.f("%.2f", rest), Report.f("%.2f", total),
                    Report.f("%.2f", process), Report.f("%.0f", peakMb));
        }
        report.endTable();
    }

    private static double stage(JsonNode r, String name) {
        for (JsonNode s : r.get("stages")) {
            if (s.get("stage").asText().equals(name)) return s.get("seconds").asDouble();
        }
        return 0;
    }

    static void frameCache(QuickBench.Options o, Report report) throws Exception {
        Path loop = DIR.resolve("loop-4s.mp4");
        if (!Files.exists(loop)) ClipWriter.write(Scene.looped(new BouncingScene(640, 360, 1, 3), 1.0, 4.0), 25, loop);
        Path model = DIR.resolve("foleynet-edge-vit");
        if (!Files.exists(model.resolve("foleynet.json"))) RandomFoleyNet.write(RandomFoleyNet.edge(true), model, 1);
        report.table("Frame cache on a looping clip (4 s, 1 s loop, 8 fps): FoleyNet with ViT-B/16, " + o.threads()
                + " threads", new int[] {-8, 8, 8, 11, 11, 8, 10, 8}, "cache", "frames", "hits", "visual s",
                "frames/s", "gain", "same WAV", "target");
        Path home = Path.of(System.getenv().getOrDefault("FOLEY4J_HOME", ".cache/foley4j"));
        GenerateOptions opts = GenerateOptions.defaults().withSteps(1);
        try (WorkerPool pool = new WorkerPool(o.threads());
             NeuralFoley plain = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, null);
             NeuralFoley cached = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool,
                     new FrameCache(256L << 20))) {
            FoleyRequest req = new FoleyRequest(loop, "glass breaking", opts);
            plain.generate(req, DIR.resolve("warm.wav"), Progress.NONE);                 // JIT warm-up
            FoleyResult a = plain.generate(req, DIR.resolve("nocache.wav"), Progress.NONE);
            FoleyResult b = cached.generate(req, DIR.resolve("cache.wav"), Progress.NONE);
            boolean same = Arrays.equals(Files.readAllBytes(a.wav()), Files.readAllBytes(b.wav()));
            double va = visual(a), vb = visual(b);
            long frames = a.counters().get("frames.sampled");
            report.row(CACHE_TARGET, same, "off", String.valueOf(frames), "-", Report.f("%.2f", va),
                    Report.f("%.1f", frames / va), "1.00x", same ? "yes" : "NO");
            report.row(CACHE_TARGET, same, "on", String.valueOf(frames), String.valueOf(b.counters().get("frame.hits")),
                    Report.f("%.2f", vb), Report.f("%.1f", frames / vb), Report.f("%.2fx", va / vb), same ? "yes" : "NO");
        }
        report.endTable();
    }

    private static double visual(FoleyResult r) {
        double s = 0;
        for (StageTiming t : r.stages()) if (t.stage().equals("visual")) s += t.seconds();
        return s;
    }

    public static void main(String[] args) throws Exception {
        QuickBench.Options o = QuickBench.Options.parse(args);
        Report report = new Report(System.out);
        run(o, report);
        report.targetSummary();
        if (o.out() != null) report.writeMarkdown(o.out(), "Foley4J FoleyBench");
    }
}
