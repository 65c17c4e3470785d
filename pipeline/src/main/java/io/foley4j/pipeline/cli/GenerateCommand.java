package io.foley4j.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.foley4j.pipeline.Foley;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foley.StageTiming;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Generate a 48 kHz Foley track for a video and a short description.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--video", required = true, description = "input video (MP4/MOV, H.264)")
    Path video;
    @Option(names = "--prompt", required = true, description = "what the sound is, e.g. \"footsteps on gravel\"")
    String prompt;
    @Option(names = "--out", required = true, description = "output WAV (written to a temporary name, then renamed)")
    Path out;
    @Option(names = "--steps", defaultValue = "0", description = "sampling steps (0 = the model's default)")
    int steps;
    @Option(names = "--cfg", defaultValue = "NaN", description = "classifier-free guidance scale (default: the model's)")
    double cfg;
    @Option(names = "--seed", defaultValue = "0", description = "random seed (same seed, same output)")
    long seed;
    @Option(names = "--seconds", defaultValue = "NaN", description = "audio length (default: exactly the video's)")
    double seconds;
    @Option(names = "--stereo", description = "two channels, panned by where the motion is")
    boolean stereo;
    @Option(names = "--mux", description = "also write this copy of the video with the track added")
    Path mux;
    @Mixin
    ModelOptions model;
    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        GenerateOptions opts = new GenerateOptions(steps, cfg, seed, seconds, stereo ? 2 : 1, mux);
        run(new FoleyRequest(video, prompt, opts), out, model, output);
        return 0;
    }

    /** Loads the model, generates {@code req} into {@code out} and prints the result (text, JSON or nothing). */
    static void run(FoleyRequest req, Path out, ModelOptions model, OutputOptions output) throws Exception {
        Progress progress = output.progress();
        long t0 = System.nanoTime();
        try (Foley gen = Foley.load(model.model, model.options())) {
            double load = (System.nanoTime() - t0) / 1e9;
            FoleyResult r = gen.generate(req, out, progress);
            if (output.json) {
                System.out.println(toJson(r, load));
            } else if (!output.quiet) {
                System.out.printf(Locale.ROOT, "video  %s%nprompt \"%s\"%nwrote  %s (%.2f s, %d Hz, %d ch)%nmodel  %s%n",
                        req.video(), req.prompt(), r.wav().toAbsolutePath(), r.audioSeconds(), r.sampleRate(),
                        r.channels(), r.model());
                if (r.muxed() != null) System.out.println("wrote  " + r.muxed().toAbsolutePath());
                System.out.printf(Locale.ROOT, "model loaded in %.2f s%n", load);
                System.out.print(table(r));
            }
        }
    }

    static String table(FoleyResult r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %9s %12s%n", "stage", "seconds", "peak RSS MB"));
        for (StageTiming t : r.stages()) {
            sb.append(String.format(Locale.ROOT, "%-10s %9.3f %12s%n", t.stage(), t.seconds(), mb(t.peakRssBytes())));
        }
        sb.append(String.format(Locale.ROOT, "%-10s %9.3f %12s%n", "total", r.totalSeconds(), mb(r.peakRssBytes())));
        if (!r.counters().isEmpty()) sb.append("counters ").append(r.counters()).append('\n');
        return sb.toString();
    }

    static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    static String toJson(FoleyResult r, double loadSeconds) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("wav", r.wav().toString());
        if (r.muxed() != null) o.put("muxed", r.muxed().toString());
        o.put("sampleRate", r.sampleRate());
        o.put("channels", r.channels());
        o.put("audioSeconds", r.audioSeconds());
        o.put("model", r.model());
        o.put("totalSeconds", r.totalSeconds());
        o.put("loadSeconds", loadSeconds);
        o.put("peakRssBytes", r.peakRssBytes());
        ArrayNode stages = o.putArray("stages");
        for (StageTiming t : r.stages()) {
            stages.addObject().put("stage", t.stage()).put("seconds", t.seconds()).put("peakRssBytes", t.peakRssBytes());
        }
        ObjectNode c = o.putObject("counters");
        for (Map.Entry<String, Long> e : r.counters().entrySet()) c.put(e.getKey(), e.getValue());
        return m.writeValueAsString(o);
    }
}
