package io.foley4j.bench;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.video.DecodeBench;
import io.foley4j.pipeline.video.VideoFrames;
import io.foley4j.pipeline.video.VideoIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * H.264 decoding side by side in one run (issue 4), on one 15 s 1280x720 clip: every frame with plain JCodec on one
 * thread, every frame with our GOP-parallel decoding on all threads, sampling at 8 fps into CLIP input (what the
 * pipeline does: frames that sampling does not need are skipped where the codec allows it), and {@code ffmpeg
 * -threads 1} / {@code -threads 2} decoding every frame to nowhere ({@code -f null}, its {@code -benchmark} real time,
 * so process start-up is not counted). The clip is made with ffmpeg when missing ({@value #CLIP}, never committed):
 * testsrc2 at 30 fps, x264 High profile, yuv420p, a closed GOP every second ({@code -g 30}) as phone cameras write.
 * Without ffmpeg the output says so; our rows still run when the clip is already there.
 * Standalone: {@code DecodeSideBySide [QuickBench options]}.
 */
final class DecodeSideBySide {
    private DecodeSideBySide() {}

    static final String CLIP = ".cache/bench/video/testsrc2_720p30_15s_high_g30.mp4";
    static final double SAMPLE_FPS = VideoFrames.DEFAULT_FPS;
    private static final Pattern RTIME = Pattern.compile("rtime=([0-9.]+)s");

    public static void main(String[] args) throws Exception {
        QuickBench.Options o = QuickBench.Options.parse(args);
        Report report = new Report(System.out);
        run(o, report);
        if (o.out() != null) {
            report.writeMarkdown(o.out(), "Foley4J decode side by side");
        }
    }

    static void run(QuickBench.Options o, Report report) throws IOException, InterruptedException {
        Path clip = LstmBench.root().resolve(CLIP);
        boolean ffmpeg = ffmpegAvailable();
        if (!Files.exists(clip)) {
            if (!ffmpeg) {
                report.note("decode: skipped, no clip " + CLIP + " and no ffmpeg on PATH to make it "
                        + "(install Debian's ffmpeg)");
                return;
            }
            makeClip(clip);
        }
        VideoIndex video = VideoIndex.open(clip);
        int frames = video.frameCount(), repeats = o.quick() ? 2 : 3;
        report.table(Report.f("H.264 decoding, %s: %dx%d, %d frames, %.1f s; best of %d", CLIP, video.width,
                        video.height, frames, video.durationSeconds(), repeats),
                new int[] {-48, 7, 10, 11, 12}, "decoder", "threads", "frames/s", "vs JCodec 1", "vs ffmpeg -t2");
        double ff1 = ffmpeg ? frames / ffmpegSeconds(clip, 1, repeats) : Double.NaN;
        double ff2 = ffmpeg ? frames / ffmpegSeconds(clip, 2, repeats) : Double.NaN;
        double serial, parallel, sampled, sampled1;
        try (WorkerPool one = new WorkerPool(1); WorkerPool all = new WorkerPool(o.threads())) {
            VideoFrames.decodeAll(video, all); // JIT warm-up
            serial = DecodeBench.decodeAllFps(video, one, repeats);
            parallel = DecodeBench.decodeAllFps(video, all, repeats);
            // source frames covered per second when sampling (frames the plan does not need are not decoded)
            sampled1 = DecodeBench.sampledRealtime(video, one, SAMPLE_FPS, repeats) * video.frameRate();
            sampled = DecodeBench.sampledRealtime(video, all, SAMPLE_FPS, repeats) * video.frameRate();
        }
        row(report, "JCodec 0.2.5, every frame", 1, serial, serial, ff2);
        row(report, "ours GOP-parallel JCodec, every frame", o.threads(), parallel, serial, ff2);
        row(report, Report.f("ours, sampling %.0f fps + CLIP 224 preprocessing*", SAMPLE_FPS), 1, sampled1, serial,
                ff2);
        row(report, Report.f("ours, sampling %.0f fps + CLIP 224 preprocessing*", SAMPLE_FPS), o.threads(), sampled,
                serial, ff2);
        if (ffmpeg) {
            row(report, "ffmpeg " + ffmpegVersion() + " -threads 1, every frame", 1, ff1, serial, ff2);
            row(report, "ffmpeg " + ffmpegVersion() + " -threads 2, every frame", 2, ff2, serial, ff2);
        } else {
            report.row(null, null, "ffmpeg: not on PATH (install Debian's ffmpeg)", "", "-", "", "");
        }
        report.endTable();
        report.note("* source frames covered per second: the clip's frames / wall time of sampling it at "
                + Report.f("%.0f", SAMPLE_FPS) + " fps (decode + RGB + resize/crop/normalize of the sampled frames)");
    }

    private static void row(Report report, String name, int threads, double fps, double serial, double ff2) {
        report.row(null, null, name, String.valueOf(threads), Report.f("%.0f", fps), Report.f("%.2fx", fps / serial),
                Double.isNaN(ff2) ? "-" : Report.f("%.2fx", fps / ff2));
    }

    static boolean ffmpegAvailable() {
        try {
            return exec(List.of("ffmpeg", "-version")).exit == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String ffmpegVersion() throws IOException, InterruptedException {
        String first = exec(List.of("ffmpeg", "-version")).output.lines().findFirst().orElse("");
        String[] w = first.split("\\s+");
        return w.length > 2 ? w[2] : "?";
    }

    /** testsrc2 1280x720 at 30 fps for 15 s, x264 High, a closed GOP every 30 frames; written to .part, then moved. */
    static void makeClip(Path clip) throws IOException, InterruptedException {
        Files.createDirectories(clip.getParent());
        Path ignore = LstmBench.root().resolve(".cache/.gitignore");
        if (!Files.exists(ignore)) {
            Files.writeString(ignore, "*\n");
        }
        Path tmp = clip.resolveSibling(clip.getFileName() + ".part.mp4");
        Result r = exec(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=1280x720:rate=30:duration=15", "-c:v", "libx264", "-profile:v", "high",
                "-pix_fmt", "yuv420p", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", tmp.toString()));
        if (r.exit != 0) {
            throw new IOException("ffmpeg could not make " + clip + ": " + r.output);
        }
        Files.move(tmp, clip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Best {@code -benchmark} real time of ffmpeg decoding every frame of {@code clip} to the null muxer. */
    static double ffmpegSeconds(Path clip, int threads, int repeats) throws IOException, InterruptedException {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Result r = exec(List.of("ffmpeg", "-v", "error", "-benchmark", "-threads", String.valueOf(threads),
                    "-i", clip.toString(), "-f", "null", "-"));
            double wall = (System.nanoTime() - t0) / 1e9;
            if (r.exit != 0) {
                throw new IOException("ffmpeg failed to decode " + clip + ": " + r.output);
            }
            Matcher m = RTIME.matcher(r.output);
            best = Math.min(best, m.find() ? Double.parseDouble(m.group(1)) : wall);
        }
        return best;
    }

    private record Result(int exit, String output) {}

    private static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
