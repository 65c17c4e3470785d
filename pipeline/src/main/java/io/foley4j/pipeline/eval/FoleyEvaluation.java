package io.foley4j.pipeline.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.pipeline.audio.LogMel;
import io.foley4j.pipeline.audio.Mel;
import io.foley4j.pipeline.audio.StftConfig;
import io.foley4j.pipeline.diffusion.GaussianNoise;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Issue 8's quality measurements of a FoleyNet on the training recipe's held-out recordings, with the recipe's
 * {@link AudioClassifier} (trained on the training split only):
 * <ul>
 * <li>for every held-out clip whose caption has a class, {@code variants} crops of {@code classifier.frames()} mel
 *     frames (as {@code recipe/classifier.py heldout_crops}: long clips at evenly spaced offsets, short ones placed at
 *     evenly spaced offsets in silence);</li>
 * <li>four versions of each crop, all turned into a 48 kHz waveform and measured by the same log-mel:
 *     <b>real</b> (the recording's log-mel as it is), <b>generated</b> (the decoder conditioned on the crop's envelope and
 *     the clip's caption, seed {@code seed + variant}, then the model's vocoder), <b>griffin-lim</b> (the real log-mel
 *     through the model's vocoder: the ceiling a Griffin-Lim model can reach) and <b>noise</b> (white noise whose
 *     per-frame mel energy follows the real crop's: timing without timbre);</li>
 * <li>text fidelity: the share of generated crops the classifier assigns to the prompt's class, over its accuracy
 *     on the real crops (issue 8 asks for >= 0.7); Fréchet distance of each version's embeddings to the real ones;
 *     envelope correlation between the condition and the generated waveform's envelope.</li>
 * </ul>
 * Waveforms are measured rather than the decoder's log-mel, so the vocoder is part of what is judged.
 */
public final class FoleyEvaluation {
    static final float LOG_FLOOR = (float) Math.log(1e-5);

    public enum Version { REAL, GENERATED, GRIFFIN_LIM, NOISE }

    /** One held-out clip's crop and what each version gave. */
    public record Sample(String clip, String caption, int label, int variant, Map<Version, float[]> embeddings,
                         Map<Version, Integer> predicted, double envelopeR) {}

    public record Report(List<String> classes, List<Sample> samples, Map<Version, Double> accuracy,
                         Map<Version, Double> frechet, double textFidelity, double meanEnvelopeR, double minEnvelopeR,
                         Map<String, Map<Version, Double>> accuracyByClass) {}

    public record Clip(String id, String caption, int label, float[] logMel, int frames) {}

    private final NeuralFoley foley;
    private final FoleyNetConfig config;
    private final AudioClassifier classifier;
    private final LogMel logMel;
    private final int nMels, window;

    public FoleyEvaluation(NeuralFoley foley, FoleyNetConfig config, AudioClassifier classifier) {
        this.foley = foley;
        this.config = config;
        this.classifier = classifier;
        FoleyNetConfig.Vocoder v = config.vocoder();
        this.nMels = v.nMels();
        if (nMels != classifier.nMels()) {
            throw new IllegalArgumentException("evaluation: the model's log-mel has " + nMels
                    + " bands, the classifier's " + classifier.nMels());
        }
        this.window = classifier.frames();
        if (window % config.decoder().dit().patch() != 0 || window > config.decoder().dit().maxFrames()) {
            throw new IllegalArgumentException("evaluation: classifier crops of " + window + " frames do not fit the decoder ("
                    + "patch " + config.decoder().dit().patch() + ", window " + config.decoder().dit().maxFrames() + ")");
        }
        this.logMel = trainingLogMel(v);
    }

    /**
     * The training data's log-mel (recipe/README.md), which the model's vocoder section describes: a centred Hann
     * STFT, Slaney mel, magnitude, natural log clamped at 1e-5; at 48 kHz.
     */
    public static LogMel trainingLogMel(FoleyNetConfig.Vocoder v) {
        if (v.sampleRate() != NeuralFoley.OUTPUT_RATE) {
            throw new IllegalArgumentException("evaluation: needs a " + NeuralFoley.OUTPUT_RATE + " Hz mel definition, got "
                    + v.sampleRate());
        }
        return new LogMel(new LogMel.Config(StftConfig.hann(v.nFft(), v.hop(), v.nFft()), v.sampleRate(), v.nMels(),
                v.fMin(), v.fMax(), Mel.Scale.SLANEY, Mel.Norm.SLANEY, 1, LogMel.Log.LN, 1e-5f));
    }

    /** The held-out clips of the recipe's data folder (dataset.json + mels.safetensors) that have a class. */
    public static List<Clip> heldOut(Path data, AudioClassifier classifier) throws IOException {
        JsonNode ds = new ObjectMapper().readTree(data.resolve("dataset.json").toFile());
        List<Clip> out = new ArrayList<>();
        try (SafetensorsFile mels = SafetensorsFile.open(data.resolve("mels.safetensors")); Arena arena = Arena.ofConfined()) {
            for (JsonNode c : ds.get("clips")) {
                if (!"heldout".equals(c.get("split").asText())) continue;
                String caption = c.get("caption").asText();
                int label = classifier.classOf(caption);
                if (label < 0) continue;
                float[] m = mels.toF32("mel." + c.get("index").asInt(), arena).toFloats();
                out.add(new Clip(c.get("id").asText(), caption, label, m, m.length / classifier.nMels()));
            }
        }
        if (out.isEmpty()) throw new IOException(data + ": no held-out clip with a classifier class");
        return out;
    }

    /** Crop {@code variant} of {@code count} of a clip: [window, nMels] (recipe/classifier.py heldout_crops). */
    static float[] crop(float[] mel, int frames, int nMels, int window, int variant, int count) {
        float[] out = new float[window * nMels];
        java.util.Arrays.fill(out, LOG_FLOOR);
        int span = Math.max(1, count - 1);
        if (frames >= window) {
            int a = (frames - window) * variant / span;
            System.arraycopy(mel, a * nMels, out, 0, window * nMels);
        } else {
            int o = (window - frames) * variant / span;
            System.arraycopy(mel, 0, out, o * nMels, frames * nMels);
        }
        return out;
    }

    /** The envelope as floats (see {@link AudioClassifier#envelopeOf}). */
    static float[] envelope(float[] logMel, int nMels) {
        double[] e = AudioClassifier.envelopeOf(logMel, nMels);
        float[] env = new float[e.length];
        for (int i = 0; i < e.length; i++) env[i] = (float) e[i];
        return env;
    }

    /** The log-mel of a waveform, cut to the first {@code window} frames. */
    float[] measure(float[] wave) {
        return java.util.Arrays.copyOf(measureAll(wave), window * nMels);
    }

    /** The log-mel [frames, nMels] of a 48 kHz waveform by the training data's definition. */
    public float[] measureAll(float[] wave) {
        return logMel.compute(wave);
    }

    /**
     * White Gaussian noise of window * hop samples whose mel energy per frame follows the crop's: each frame's gain is
     * (crop energy / unit-noise energy), interpolated linearly between frame centres.
     */
    float[] shapedNoise(float[] crop, long seed) {
        int hop = config.vocoder().hop(), n = window * hop;
        float[] x = new float[n];
        new GaussianNoise(seed).next(x);
        float[] unit = logMel.compute(x);
        double[] gain = new double[window];
        for (int t = 0; t < window; t++) {
            double target = 0, got = 0;
            for (int m = 0; m < nMels; m++) {
                target += Math.exp(crop[t * nMels + m]);
                got += Math.exp(unit[t * nMels + m]);
            }
            gain[t] = target / got;
        }
        for (int i = 0; i < n; i++) {
            double pos = i / (double) hop;
            int t = Math.min(window - 1, (int) pos);
            double f = pos - t, g = t + 1 < window ? gain[t] * (1 - f) + gain[t + 1] * f : gain[t];
            x[i] *= (float) g;
        }
        return x;
    }

    /** Runs the whole evaluation; {@code progress} gets the number of crops done. */
    public Report run(List<Clip> clips, int variants, GenerateOptions options, IntConsumer progress) {
        List<Sample> samples = new ArrayList<>();
        for (Clip c : clips) {
            for (int v = 0; v < variants; v++) {
                float[] crop = crop(c.logMel, c.frames, nMels, window, v, variants);
                float[] env = envelope(crop, nMels);
                Map<Version, float[]> mels = new LinkedHashMap<>();
                mels.put(Version.REAL, crop);
                NeuralFoley.Mel gen = foley.melFromCondition(condition(env), window, c.caption,
                        options.withSeed(options.seed() + v));
                float[] genMel = measure(foley.vocode(gen.logMel(), gen.frames()));
                mels.put(Version.GENERATED, genMel);
                mels.put(Version.GRIFFIN_LIM, measure(foley.vocode(crop, window)));
                mels.put(Version.NOISE, measure(shapedNoise(crop, options.seed() + 1000L * v + samples.size())));
                Map<Version, float[]> emb = new LinkedHashMap<>();
                Map<Version, Integer> pred = new LinkedHashMap<>();
                for (var e : mels.entrySet()) {
                    float[] z = classifier.embedding(e.getValue());
                    emb.put(e.getKey(), z);
                    pred.put(e.getKey(), AudioClassifier.argmax(classifier.logitsOfEmbedding(z)));
                }
                samples.add(new Sample(c.id, c.caption, c.label, v, emb, pred, pearson(env, envelope(genMel, nMels))));
                progress.accept(samples.size());
            }
        }
        return summarize(samples);
    }

    private float[] condition(float[] env) {
        int cd = config.decoder().dit().condDim();
        if (cd == 1) return env;
        float[] c = new float[env.length * cd];
        for (int t = 0; t < env.length; t++) c[t * cd] = env[t];
        return c;
    }

    Report summarize(List<Sample> samples) {
        Map<Version, Double> acc = new LinkedHashMap<>(), fd = new LinkedHashMap<>();
        Map<String, Map<Version, Double>> byClass = new LinkedHashMap<>();
        List<String> classes = classifier.classes();
        for (Version v : Version.values()) {
            int ok = 0;
            for (Sample s : samples) if (s.predicted.get(v) == s.label) ok++;
            acc.put(v, ok / (double) samples.size());
            for (int k = 0; k < classes.size(); k++) {
                int n = 0, hit = 0;
                for (Sample s : samples) {
                    if (s.label != k) continue;
                    n++;
                    if (s.predicted.get(v) == k) hit++;
                }
                if (n > 0) byClass.computeIfAbsent(classes.get(k), x -> new LinkedHashMap<>()).put(v, hit / (double) n);
            }
            if (v != Version.REAL) {
                fd.put(v, Frechet.distance(samples.stream().map(s -> s.embeddings.get(Version.REAL)).toList(),
                        samples.stream().map(s -> s.embeddings.get(v)).toList()));
            }
        }
        double rSum = 0, rMin = Double.POSITIVE_INFINITY;
        int rN = 0;
        for (Sample s : samples) {
            if (Double.isNaN(s.envelopeR)) continue;
            rSum += s.envelopeR;
            rMin = Math.min(rMin, s.envelopeR);
            rN++;
        }
        double real = acc.get(Version.REAL);
        return new Report(classes, samples, acc, fd, real > 0 ? acc.get(Version.GENERATED) / real : Double.NaN,
                rN == 0 ? Double.NaN : rSum / rN, rMin, byClass);
    }

    /** Pearson correlation; NaN when either side is constant. */
    static double pearson(float[] a, float[] b) {
        int n = Math.min(a.length, b.length);
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /** Opens the classifier and the held-out data, runs, and returns the report (the CLI's entry point). */
    public static Report evaluate(NeuralFoley foley, FoleyNetConfig config, Path classifierFile, Path data, int variants,
                                  GenerateOptions options, IntConsumer progress) throws IOException {
        AudioClassifier cls = AudioClassifier.load(classifierFile);
        return new FoleyEvaluation(foley, config, cls).run(heldOut(data, cls), variants, options, progress);
    }

    /** Writes a JSON report through a temporary file. */
    public static void writeJson(Object report, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), report);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The report as JSON-ready maps (per-sample predictions included, embeddings left out). */
    public static Map<String, Object> toMap(Report r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("classes", r.classes());
        j.put("accuracy", r.accuracy());
        j.put("text_fidelity", r.textFidelity());
        j.put("frechet_to_real", r.frechet());
        j.put("envelope_r_mean", r.meanEnvelopeR());
        j.put("envelope_r_min", r.minEnvelopeR());
        j.put("accuracy_by_class", r.accuracyByClass());
        List<Map<String, Object>> ss = new ArrayList<>();
        for (Sample s : r.samples()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clip", s.clip());
            m.put("caption", s.caption());
            m.put("class", r.classes().get(s.label()));
            m.put("variant", s.variant());
            Map<String, String> p = new LinkedHashMap<>();
            s.predicted().forEach((k, v) -> p.put(k.name().toLowerCase(java.util.Locale.ROOT), r.classes().get(v)));
            m.put("predicted", p);
            m.put("envelope_r", Double.isNaN(s.envelopeR()) ? null : s.envelopeR());
            ss.add(m);
        }
        j.put("samples", ss);
        return j;
    }
}
