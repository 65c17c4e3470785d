package io.foley4j.pipeline.eval;

import io.foley4j.pipeline.audio.LogMel;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 8's timing measurements on rendered scenes with known sound events ({@code scene.mp4} +
 * {@code scene.mp4.contacts.tsv} or {@code .events.tsv}, written by {@code bin/foley sample-clip} / the recipe): the FoleyNet runs on the
 * video exactly as {@code generate} does (features, aligner, guided sampling, vocoder), and the 48 kHz track is
 * measured by the training data's log-mel:
 * <ul>
 * <li>envelope r: Pearson correlation between the decoder's condition (the aligner's output at the mel rate) and the
 *     generated track's envelope (log of the frame's mel energy, 1 at the peak, 0 at 60 dB below); target >= 0.8;</li>
 * <li>onset error: for every contact, the nearest generated onset within 250 ms (onsets: frames where the envelope
 *     rises by more than 0.15 over 2 frames, at a local maximum of that rise); a contact with none is missed; the
 *     median over found ones, target <= 40 ms.</li>
 * </ul>
 */
public final class SceneTiming {
    private SceneTiming() {}

    /** The prompts of the model card's table. */
    public static final List<String> PROMPTS = List.of("footsteps on gravel", "glass shatters", "metal clang",
            "wooden door closes", "explosion", "fire crackles", "water flows", "pickaxe hits stone");
    static final double RISE = 0.15, SEARCH_S = 0.25;

    public record Contact(double time, double strength) {}

    /** One scene and prompt; {@code medianOnsetError} in seconds (NaN when every contact was missed). */
    public record Result(String scene, String kind, String prompt, double envelopeR, double medianOnsetError,
                         int contacts, int missed) {}

    /**
     * The tracks of one scene kind: mean envelope r, the median of the tracks' median onset errors (s; NaN when all
     * were missed), contacts missed out of all.
     */
    public record KindSummary(String kind, int tracks, double meanEnvelopeR, double medianOnsetError, int missed,
                              int contacts) {}

    /**
     * A rendered scene's kind: "bouncing" beside a {@code .contacts.tsv}, else the {@code # kind K} line of its
     * {@code .events.tsv} ("unknown" without one).
     */
    public static String kindOf(Path video) throws IOException {
        if (Files.exists(Path.of(video + ".contacts.tsv"))) return "bouncing";
        for (String l : Files.readAllLines(Path.of(video + ".events.tsv"))) {
            if (l.startsWith("# kind ")) return l.substring("# kind ".length()).strip();
        }
        return "unknown";
    }

    /** {@code results} grouped by kind, kinds in first-seen order. */
    public static List<KindSummary> byKind(List<Result> results) {
        java.util.Map<String, List<Result>> g = new java.util.LinkedHashMap<>();
        for (Result r : results) g.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
        List<KindSummary> out = new ArrayList<>();
        g.forEach((kind, rs) -> out.add(new KindSummary(kind, rs.size(),
                rs.stream().mapToDouble(Result::envelopeR).average().orElse(Double.NaN),
                median(rs.stream().mapToDouble(Result::medianOnsetError).toArray()),
                rs.stream().mapToInt(Result::missed).sum(), rs.stream().mapToInt(Result::contacts).sum())));
        return out;
    }

    /**
     * The sound onsets of a rendered scene: {@code video.contacts.tsv} (bouncing scenes) or else
     * {@code video.events.tsv} (other kinds; an interval's onset is its start).
     */
    public static List<Contact> contactsOf(Path video) throws IOException {
        Path c = Path.of(video + ".contacts.tsv");
        return readContacts(Files.exists(c) ? c : Path.of(video + ".events.tsv"));
    }

    /**
     * Reads {@code time_s <tab> x_fraction <tab> strength} lines (contacts) or {@code time_s <tab> duration_s <tab>
     * strength} lines (events); '#' starts a comment.
     */
    public static List<Contact> readContacts(Path tsv) throws IOException {
        List<Contact> out = new ArrayList<>();
        int line = 0;
        for (String l : Files.readAllLines(tsv)) {
            line++;
            if (l.isBlank() || l.startsWith("#")) continue;
            String[] f = l.trim().split("\t");
            try {
                out.add(new Contact(Double.parseDouble(f[0]), f.length > 2 ? Double.parseDouble(f[2]) : 1.0));
            } catch (NumberFormatException e) {
                throw new IOException(tsv + " line " + line + ": not 'time x strength': " + l);
            }
        }
        return out;
    }

    /** Onset frames of an envelope: rises d[i] = env[i + 2] - env[i] above RISE at a local maximum of d. */
    static int[] onsets(float[] env) {
        int n = env.length - 2;
        if (n < 3) return new int[0];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = env[i + 2] - env[i];
        List<Integer> idx = new ArrayList<>();
        for (int i = 1; i < n - 1; i++) {
            if (d[i] > RISE && d[i] >= d[i - 1] && d[i] >= d[i + 1]) idx.add(i + 2);
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Per contact: |nearest onset - contact| in seconds within SEARCH_S, NaN when none is that near. */
    static double[] onsetErrors(float[] env, List<Contact> contacts, double rate) {
        int[] on = onsets(env);
        double[] err = new double[contacts.size()];
        for (int c = 0; c < err.length; c++) {
            double tc = contacts.get(c).time(), best = Double.NaN;
            for (int o : on) {
                double e = Math.abs(o / rate - tc);
                if (e <= SEARCH_S && !(e >= best)) best = e;
            }
            err[c] = best;
        }
        return err;
    }

    static double median(double[] xs) {
        double[] v = Arrays.stream(xs).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Generates every prompt for every scene and measures it; {@code logMel} is the training data's definition. */
    public static List<Result> run(NeuralFoley foley, LogMel logMel, double melRate, List<Path> scenes,
                                   List<String> prompts, GenerateOptions o, java.util.function.IntConsumer progress)
            throws IOException {
        int nMels = logMel.config().nMels();
        List<Result> out = new ArrayList<>();
        for (Path video : scenes) {
            List<Contact> contacts = contactsOf(video);
            String kind = kindOf(video);
            NeuralFoley.Features fx = foley.features(video);
            float[] cond = foley.condition(fx.values(), fx.frames(), fx.duration());
            for (String prompt : prompts) {
                NeuralFoley.Mel m = foley.mel(fx.values(), fx.frames(), prompt, fx.duration(), o);
                float[] wave = foley.vocode(m.logMel(), m.frames());
                wave = Arrays.copyOf(wave, (int) Math.round(fx.duration() * NeuralFoley.OUTPUT_RATE));
                float[] env = FoleyEvaluation.envelope(logMel.compute(wave), nMels);
                float[] c = Arrays.copyOf(cond, Math.min(cond.length, env.length));
                double[] err = onsetErrors(env, contacts, melRate);
                int missed = (int) Arrays.stream(err).filter(Double::isNaN).count();
                out.add(new Result(video.getFileName().toString(), kind, prompt, FoleyEvaluation.pearson(c, env), median(err),
                        contacts.size(), missed));
                progress.accept(out.size());
            }
        }
        return out;
    }

    /** The aligner's envelope alone against the contacts: median onset error in seconds per scene. */
    public static double alignerOnsetError(NeuralFoley foley, double melRate, Path video) throws IOException {
        NeuralFoley.Features fx = foley.features(video);
        float[] cond = foley.condition(fx.values(), fx.frames(), fx.duration());
        return median(onsetErrors(cond, contactsOf(video), melRate));
    }
}
