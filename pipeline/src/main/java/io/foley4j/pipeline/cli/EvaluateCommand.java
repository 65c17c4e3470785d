package io.foley4j.pipeline.cli;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.eval.FoleyEvaluation;
import io.foley4j.pipeline.eval.SceneTiming;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", description = "Measure a FoleyNet on the training recipe's held-out recordings: text "
        + "fidelity (the recipe's classifier on generated vs real clips), Frechet distance to real clips next to "
        + "Griffin-Lim-reconstructed real clips and envelope-shaped noise, envelope correlation.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;
    @Option(names = "--data", defaultValue = "recipe/work/data",
            description = "the recipe's data folder: dataset.json + mels.safetensors (recipe/prepare.sh)")
    Path data;
    @Option(names = "--classifier", defaultValue = "recipe/classifier.safetensors",
            description = "the recipe's audio classifier (recipe/classifier.py)")
    Path classifier;
    @Option(names = "--variants", defaultValue = "4", description = "crops (and seeds) per held-out clip")
    int variants;
    @Option(names = "--seed", defaultValue = "1", description = "first seed (crop v uses seed + v)")
    long seed;
    @Option(names = "--steps", defaultValue = "0", description = "sampler steps (0 = the model's)")
    int steps;
    @Option(names = "--cfg", defaultValue = "NaN", description = "guidance scale (default: the model's)")
    double cfg;
    @Option(names = "--scenes", defaultValue = "recipe/work/scenes",
            description = "rendered scenes with known sound times (scene_N.mp4 + .contacts.tsv or .events.tsv) for the timing metrics")
    Path scenes;
    @Option(names = "--scene-ids", split = ",", defaultValue = "16,17,18,19",
            description = "which scenes (the recipe holds out 16-19); none: --scene-ids=''")
    List<String> sceneIds;
    @Option(names = "--out", description = "write the report here as JSON")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (variants < 1 || variants > 64) throw new IllegalArgumentException("--variants must be in [1, 64], got " + variants);
        Path dir = Path.of(model.model);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model must be a FoleyNet folder (the default model has no decoder to "
                    + "evaluate), got " + model.model);
        }
        FoleyNetConfig config = FoleyNetConfig.read(dir);
        GenerateOptions o = GenerateOptions.defaults().withSeed(seed).withSteps(steps).withCfg(cfg);
        long t0 = System.nanoTime();
        List<Path> videos = new ArrayList<>();
        for (String id : sceneIds) {
            if (id.isBlank()) continue;
            Path v = scenes.resolve("scene_" + id.strip() + ".mp4");
            if (!Files.isRegularFile(v)) throw new IllegalArgumentException("no scene " + v + " (recipe/prepare.sh renders them)");
            videos.add(v);
        }
        if (!videos.isEmpty() && config.decoder().dit().condDim() != 1) {
            throw new IllegalArgumentException("timing metrics need a model whose condition is one envelope (condDim 1), got "
                    + config.decoder().dit().condDim() + "; pass --scene-ids=''");
        }
        FoleyEvaluation.Report r;
        List<SceneTiming.Result> timing;
        Map<String, Double> alignerErr = new LinkedHashMap<>();
        try (WorkerPool pool = new WorkerPool(model.threads());
             NeuralFoley g = new NeuralFoley(FoleyNet.open(dir, model.precision(), pool, model.home()), pool, null)) {
            r = FoleyEvaluation.evaluate(g, config, classifier, data, variants, o,
                    n -> System.err.printf(Locale.ROOT, "\r%d crops evaluated", n));
            System.err.println();
            double rate = config.decoder().frameRate();
            timing = SceneTiming.run(g, FoleyEvaluation.trainingLogMel(config.vocoder()), rate, videos,
                    SceneTiming.PROMPTS, o, n -> System.err.printf(Locale.ROOT, "\r%d scene tracks generated", n));
            for (Path v : videos) alignerErr.put(v.getFileName().toString(), SceneTiming.alignerOnsetError(g, rate, v));
        }
        System.err.println();
        print(r);
        if (!timing.isEmpty()) printTiming(timing, alignerErr);
        System.out.printf(Locale.ROOT, "%d crops, %d scene tracks in %.0f s (%s, %s)%n", r.samples().size(), timing.size(),
                (System.nanoTime() - t0) / 1e9, dir, model.precision());
        if (out != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", dir.toString());
            j.put("precision", model.precision().toString());
            j.put("recordings", FoleyEvaluation.toMap(r));
            List<Map<String, Object>> t = new ArrayList<>();
            for (SceneTiming.Result x : timing) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("scene", x.scene());
                m.put("kind", x.kind());
                m.put("prompt", x.prompt());
                m.put("envelope_r", Double.isNaN(x.envelopeR()) ? null : x.envelopeR());
                m.put("median_onset_error_s", Double.isNaN(x.medianOnsetError()) ? null : x.medianOnsetError());
                m.put("contacts", x.contacts());
                m.put("missed", x.missed());
                t.add(m);
            }
            j.put("scenes", t);
            j.put("aligner_median_onset_error_s", alignerErr);
            List<Map<String, Object>> kinds = new ArrayList<>();
            for (SceneTiming.KindSummary k : SceneTiming.byKind(timing)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", k.kind());
                m.put("tracks", k.tracks());
                m.put("mean_envelope_r", Double.isNaN(k.meanEnvelopeR()) ? null : k.meanEnvelopeR());
                m.put("median_onset_error_s", Double.isNaN(k.medianOnsetError()) ? null : k.medianOnsetError());
                m.put("missed", k.missed());
                m.put("contacts", k.contacts());
                kinds.add(m);
            }
            j.put("scene_kinds", kinds);
            FoleyEvaluation.writeJson(j, out);
            System.out.println("report: " + out);
        }
        return 0;
    }

    static void printTiming(List<SceneTiming.Result> timing, Map<String, Double> alignerErr) {
        System.out.println();
        System.out.println("| scene | prompt | envelope r | median onset error | missed |");
        System.out.println("|---|---|---:|---:|---:|");
        int rOk = 0, onsetOk = 0;
        for (SceneTiming.Result x : timing) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.1f ms | %d/%d |%n", x.scene(), x.prompt(), x.envelopeR(),
                    x.medianOnsetError() * 1000, x.missed(), x.contacts());
            if (x.envelopeR() >= 0.8) rOk++;
            if (x.medianOnsetError() <= 0.040) onsetOk++;
        }
        System.out.println();
        alignerErr.forEach((k, v) -> System.out.printf(Locale.ROOT, "aligner envelope alone, %s: median onset error %.1f ms%n",
                k, v * 1000));
        System.out.printf(Locale.ROOT, "envelope r >= 0.8: %d/%d tracks; median onset error <= 40 ms: %d/%d tracks%n",
                rOk, timing.size(), onsetOk, timing.size());
        System.out.println();
        System.out.println("| scene kind | tracks | mean envelope r | median onset error (median over tracks) | missed |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (SceneTiming.KindSummary k : SceneTiming.byKind(timing)) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.1f ms | %d/%d |%n", k.kind(), k.tracks(),
                    k.meanEnvelopeR(), k.medianOnsetError() * 1000, k.missed(), k.contacts());
        }
    }

    static void print(FoleyEvaluation.Report r) {
        System.out.println("| version | classifier accuracy | Frechet distance to real |");
        System.out.println("|---|---:|---:|");
        for (FoleyEvaluation.Version v : FoleyEvaluation.Version.values()) {
            Double fd = r.frechet().get(v);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %s |%n", v.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    r.accuracy().get(v), fd == null ? "-" : String.format(Locale.ROOT, "%.2f", fd));
        }
        System.out.println();
        System.out.print("| class |");
        for (FoleyEvaluation.Version v : FoleyEvaluation.Version.values()) System.out.print(" " + v.name().toLowerCase(Locale.ROOT) + " |");
        System.out.println();
        System.out.println("|---|---:|---:|---:|---:|");
        r.accuracyByClass().forEach((k, m) -> {
            System.out.print("| " + k + " |");
            for (FoleyEvaluation.Version v : FoleyEvaluation.Version.values()) System.out.printf(Locale.ROOT, " %.2f |", m.get(v));
            System.out.println();
        });
        System.out.println();
        System.out.printf(Locale.ROOT, "text fidelity (generated accuracy / real accuracy): %.3f (target >= 0.7: %s)%n",
                r.textFidelity(), r.textFidelity() >= 0.7 ? "MET" : "MISSED");
        System.out.printf(Locale.ROOT, "envelope r (condition vs generated waveform): mean %.3f, min %.3f%n",
                r.meanEnvelopeR(), r.minEnvelopeR());
    }
}
