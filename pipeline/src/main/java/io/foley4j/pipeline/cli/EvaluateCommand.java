package io.foley4j.pipeline.cli;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.eval.FoleyEvaluation;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
        FoleyEvaluation.Report r;
        try (WorkerPool pool = new WorkerPool(model.threads());
             NeuralFoley g = new NeuralFoley(FoleyNet.open(dir, model.precision(), pool, model.home()), pool, null)) {
            r = FoleyEvaluation.evaluate(g, config, classifier, data, variants, o,
                    n -> System.err.printf(Locale.ROOT, "\r%d crops evaluated", n));
        }
        System.err.println();
        print(r);
        System.out.printf(Locale.ROOT, "%d crops in %.0f s (%s, %s)%n", r.samples().size(), (System.nanoTime() - t0) / 1e9,
                dir, model.precision());
        if (out != null) {
            FoleyEvaluation.writeJson(r, out);
            System.out.println("report: " + out);
        }
        return 0;
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
