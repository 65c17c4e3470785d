package io.foley4j.pipeline.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.pipeline.audio.LogMel;
import io.foley4j.pipeline.audio.Mel;
import io.foley4j.pipeline.audio.StftConfig;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foley.TextEncoder;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.scene.EventScene;
import io.foley4j.pipeline.scene.SoundEvent;
import io.foley4j.pipeline.sounds.SoundLibrary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java half of the training recipe (recipe/README.md): everything the PyTorch side must see exactly as the
 * engine computes it at inference, written as safetensors.
 * <pre>
 *   clips  SOUNDS OUT_DIR          clips.json (index, caption words, category, licence) + mels.safetensors:
 *                                  mel.N [T, 64] natural-log Slaney mel, 48 kHz, Hann 2048, hop 512 (griffin-lim's)
 *   text   CAPTIONS.txt MAX OUT    tokens [N, MAX, 384] + mask [N, MAX]: MiniLM last hidden states (FP32), one
 *                                  caption per line, each padded alone to MAX tokens
 *   scenes COUNT|KIND:COUNT,... SECONDS FPS SEED OUT_DIR [FEATURES]
 *                                  EventScene clips (COUNT alone: bouncing; kinds bouncing, sliding, stepping, door)
 *                                  as H.264 (scene_N.mp4) + scenes.safetensors: feat.N [F, FEATURES] (NeuralFoley.
 *                                  motionFeatures at FPS; FEATURES 2, the default, or 3), contacts.N [K, 2] (impacts: time s, strength), events.N
 *                                  [E, 3] (time s, strength, duration s, 0 for impacts), metadata kind.N
 *   generate MODEL VIDEO SEED OUT_DIR PROMPT...
 *                                  NeuralFoley (FP32) once per prompt: OUT_DIR/gen_N.wav and generated.safetensors
 *                                  with mel.N [T, 64], the log-mel of each generated 48 kHz track (as clips),
 *                                  and decoder.N [T', 64], the decoder's log-mel the vocoder received
 *   parity MODEL REFERENCE         NeuralFoley.mel vs a reference written by recipe/parity.py --model MODEL
 * </pre>
 * and the vocoder's ({@link RecipeVocos}: waves, vocos).
 * Run on the test class path: see recipe/java.sh.
 */
public final class RecipeDump {
    public static final int SAMPLE_RATE = 48_000, N_FFT = 2048, HOP = 512, N_MELS = 64;
    public static final double F_MIN = 0, F_MAX = 24_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RecipeDump() {}

    /** The log-mel the griffin-lim vocoder inverts (FoleyNetConfig.Vocoder's definition, power 1). */
    public static LogMel logMel() {
        return new LogMel(new LogMel.Config(StftConfig.hann(N_FFT, HOP, N_FFT), SAMPLE_RATE, N_MELS, F_MIN, F_MAX,
                Mel.Scale.SLANEY, Mel.Norm.SLANEY, 1, LogMel.Log.LN, 1e-5f));
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "clips" -> clips(Path.of(args[1]), Path.of(args[2]));
            case "text" -> text(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "scenes" -> scenes(args[1], Double.parseDouble(args[2]), Double.parseDouble(args[3]),
                    Long.parseLong(args[4]), Path.of(args[5]), args.length > 6 ? Integer.parseInt(args[6]) : 2);
            case "generate" -> generate(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]), Path.of(args[4]),
                    List.of(args).subList(5, args.length));
            case "parity" -> parity(Path.of(args[1]), Path.of(args[2]));
            case "waves" -> RecipeVocos.waves(Path.of(args[1]), Path.of(args[2]));
            case "vocos" -> RecipeVocos.vocos(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException("usage: RecipeDump clips SOUNDS OUT | text CAPTIONS MAX OUT"
                    + " | scenes COUNT|KIND:COUNT,... SECONDS FPS SEED OUT [FEATURES]"
                    + " | generate MODEL VIDEO SEED OUT_DIR PROMPT... | parity MODEL REFERENCE | waves SOUNDS OUT"
                    + " | vocos MODEL REFERENCE");
        }
    }

    static void clips(Path sounds, Path out) throws IOException {
        Files.createDirectories(out);
        SoundLibrary lib = SoundLibrary.index(sounds);
        LogMel lm = logMel();
        List<Map<String, Object>> index = new ArrayList<>();
        SafetensorsWriter w = new SafetensorsWriter().metadata("source", "RecipeDump clips " + sounds.getFileName());
        try (Arena arena = Arena.ofConfined()) {
            for (SoundLibrary.Clip c : lib.clips()) {
                float[] x = SoundLibrary.loadMono48k(c);
                if (x.length < N_FFT) continue;
                float[] mel = lm.compute(x);
                int i = index.size();
                w.add("mel." + i, Tensor.ofFloats(arena, mel, mel.length / N_MELS, N_MELS));
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", i);
                e.put("id", c.id());
                e.put("description", c.description());
                e.put("category", c.category().name().toLowerCase(java.util.Locale.ROOT));
                e.put("package", c.pkg());
                e.put("license", c.license());
                e.put("seconds", x.length / (double) SAMPLE_RATE);
                index.add(e);
            }
            w.write(out.resolve("mels.safetensors"));
        }
        JSON.writeValue(out.resolve("clips.json").toFile(), index);
        System.out.println("clips: " + index.size() + " written, " + lib.skipped().size() + " skipped");
    }

    static void text(Path captions, int maxTokens, Path out) throws IOException {
        List<String> lines = Files.readAllLines(captions);
        int dim = 384;
        float[] hidden = new float[lines.size() * maxTokens * dim], mask = new float[lines.size() * maxTokens];
        try (WorkerPool pool = new WorkerPool(1);
             TextEncoder enc = TextEncoder.miniLm(home(), Precision.FP32, pool)) {
            for (int i = 0; i < lines.size(); i++) {
                TextEncoder.Tokens t = enc.tokens(List.of(lines.get(i)), maxTokens);
                for (int s = 0; s < t.seq(); s++) {
                    System.arraycopy(t.hidden(), s * dim, hidden, (i * maxTokens + s) * dim, dim);
                    mask[i * maxTokens + s] = t.mask()[s];
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter().metadata("source", "RecipeDump text (all-MiniLM-L6-v2 FP32)")
                    .add("tokens", Tensor.ofFloats(arena, hidden, lines.size(), maxTokens, dim))
                    .add("mask", Tensor.ofFloats(arena, mask, lines.size(), maxTokens))
                    .write(out);
        }
        System.out.println("text: " + lines.size() + " captions");
    }

    static void generate(Path model, Path video, long seed, Path out, List<String> prompts) throws IOException {
        Files.createDirectories(out);
        LogMel lm = logMel();
        SafetensorsWriter w = new SafetensorsWriter().metadata("source", "RecipeDump generate " + model.getFileName());
        try (WorkerPool pool = new WorkerPool(1); Arena arena = Arena.ofConfined();
             NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home()), pool, null)) {
            FoleyNetConfig.Video vc = FoleyNetConfig.read(model).video();
            double fps = vc.fps();
            for (int i = 0; i < prompts.size(); i++) {
                Path wav = out.resolve("gen_" + i + ".wav");
                long t0 = System.nanoTime();
                g.generate(new FoleyRequest(video, prompts.get(i), GenerateOptions.defaults().withSeed(seed)), wav,
                        Progress.NONE);
                float[] mel = lm.compute(Wav.read(wav).samples());
                w.add("mel." + i, Tensor.ofFloats(arena, mel, mel.length / N_MELS, N_MELS));
                // the decoder's own output for the same request (what the vocoder received)
                float[] feats = NeuralFoley.motionFeatures(video, fps, vc.motionFeatures(), pool);
                NeuralFoley.Mel dm = g.mel(feats, feats.length / vc.motionFeatures(), prompts.get(i), Wav.read(wav).frames()
                        / (double) NeuralFoley.OUTPUT_RATE, GenerateOptions.defaults().withSeed(seed));
                w.add("decoder." + i, Tensor.ofFloats(arena, dm.logMel(), dm.frames(), N_MELS));
                System.out.printf(java.util.Locale.ROOT, "generate: '%s' in %.1f s%n", prompts.get(i),
                        (System.nanoTime() - t0) / 1e9);
            }
            w.write(out.resolve("generated.safetensors"));
        }
    }

    static void parity(Path model, Path reference) throws IOException {
        float[] feats, expected;
        Map<String, String> meta;
        try (io.foley4j.loader.SafetensorsFile ref = io.foley4j.loader.SafetensorsFile.open(reference);
             Arena arena = Arena.ofConfined()) {
            feats = ref.toF32("feats", arena).toFloats();
            expected = ref.toF32("mel", arena).toFloats();
            meta = ref.metadata();
        }
        GenerateOptions o = GenerateOptions.defaults().withSeed(Long.parseLong(meta.get("seed")))
                .withSteps(Integer.parseInt(meta.get("steps"))).withCfg(Double.parseDouble(meta.get("cfg")));
        try (WorkerPool pool = new WorkerPool(1);
             NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home()), pool, null)) {
            int dim = FoleyNetConfig.read(model).aligner().inputDim();
            float[] mel = g.mel(feats, feats.length / dim, meta.get("prompt"), Double.parseDouble(meta.get("seconds")), o)
                    .logMel();
            double peak = 0;
            for (float v : expected) peak = Math.max(peak, Math.abs(v));
            io.foley4j.kernels.Diff d = io.foley4j.kernels.Diff.of(mel, expected, 1.0);
            System.out.printf(java.util.Locale.ROOT, "parity %s: %s; maxAbs / peak %.3e%n", model, d, d.maxAbs() / peak);
        }
    }

    static Path home() {
        String h = System.getenv("FOLEY4J_HOME");
        return Path.of(h != null ? h : ".cache/foley4j");
    }

    /**
     * {@code mix} is a count of bouncing scenes ("20", as before) or counts per kind ("bouncing:8,sliding:6,stepping:6",
     * kinds of EventScene.KINDS), numbered in that order; scene N has seed {@code seed + N}. {@code features}: motion
     * columns per frame (2 or 3, video.motionFeatures of the model to train; the first 2 are the same either way).
     */
    static void scenes(String mix, double seconds, double fps, long seed, Path out, int features) throws IOException {
        List<String> kinds = sceneKinds(mix);
        Files.createDirectories(out);
        SafetensorsWriter w = new SafetensorsWriter().metadata("source", "RecipeDump scenes seed " + seed)
                .metadata("kinds", String.join(",", kinds)).metadata("features", Integer.toString(features));
        try (WorkerPool pool = new WorkerPool(1); Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < kinds.size(); i++) {
                EventScene scene = EventScene.of(kinds.get(i), 320, 180, seconds, seed + i);
                Path mp4 = out.resolve("scene_" + i + ".mp4");
                if (scene instanceof BouncingScene b) ClipWriter.write(b, 24, mp4);     // .contacts.tsv with x
                else ClipWriter.write(scene, 24, mp4);                                 // .events.tsv
                float[] f = NeuralFoley.motionFeatures(mp4, fps, features, pool);
                List<SoundEvent> es = scene.events();
                List<SoundEvent> impacts = es.stream().filter(SoundEvent::isImpact).toList();
                // [K, 2] (time s, strength): impacts only, one zero row when there are none (strength 0 is skipped)
                float[] c = new float[Math.max(1, impacts.size()) * 2];
                for (int k = 0; k < impacts.size(); k++) {
                    c[2 * k] = (float) impacts.get(k).time();
                    c[2 * k + 1] = (float) impacts.get(k).strength();
                }
                // [E, 3] (time s, strength, duration s; 0 for an impact)
                float[] e = new float[Math.max(1, es.size()) * 3];
                for (int k = 0; k < es.size(); k++) {
                    e[3 * k] = (float) es.get(k).time();
                    e[3 * k + 1] = (float) es.get(k).strength();
                    e[3 * k + 2] = (float) es.get(k).duration();
                }
                w.add("feat." + i, Tensor.ofFloats(arena, f, f.length / features, features));
                w.add("contacts." + i, Tensor.ofFloats(arena, c, c.length / 2, 2));
                w.add("events." + i, Tensor.ofFloats(arena, e, e.length / 3, 3));
                w.metadata("kind." + i, scene.kind());
            }
            w.write(out.resolve("scenes.safetensors"));
        }
        System.out.println("scenes: " + kinds.size() + " (" + mix + "), " + features + " motion features");
    }

    /** The kind of every scene of a {@link #scenes} mix, in order. */
    static List<String> sceneKinds(String mix) {
        List<String> kinds = new ArrayList<>();
        for (String part : mix.split(",")) {
            String[] kc = part.contains(":") ? part.split(":", 2) : new String[] {"bouncing", part};
            int n = Integer.parseInt(kc[1].trim());
            if (n < 0 || !EventScene.KINDS.contains(kc[0].trim())) {
                throw new IllegalArgumentException("RecipeDump scenes: bad mix '" + part + "', want COUNT or KIND:COUNT"
                        + " with KIND in " + EventScene.KINDS);
            }
            for (int i = 0; i < n; i++) kinds.add(kc[0].trim());
        }
        return kinds;
    }
}
