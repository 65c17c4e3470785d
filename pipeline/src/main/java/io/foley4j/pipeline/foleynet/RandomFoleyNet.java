package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.loader.WeightTable;
import io.foley4j.models.diffusion.DitConfig;
import io.foley4j.models.diffusion.DitWeights;
import io.foley4j.models.vit.VitConfig;
import io.foley4j.models.vit.VitWeights;
import io.foley4j.models.vocoder.VocosWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes FoleyNet folders with fixed random weights: the shape of a model without its training, for tests, the
 * bench and as the layout a training recipe exports to. Weights ~ N(0, 1/fan_in), biases ~ N(0, 0.01), norm
 * scales 1. What such a model generates is noise-like sound, never presented as Foley.
 */
public final class RandomFoleyNet {
    private RandomFoleyNet() {}

    /** A tiny model: a 2-block DiT over 16 mel bands at 24 kHz / hop 256, a tiny ViT, a 2-block Vocos. */
    public static FoleyNetConfig tiny(boolean withVit) {
        VitConfig v = VitConfig.tinyClip();
        int feat = (withVit ? v.outputDim() : 0) + 2;
        DitConfig dit = new DitConfig(16, 2, 32, 2, 2, 64, 384, 24, 32, 128, 16, 2, true, 1e-6f);
        return new FoleyNetConfig(FoleyNetConfig.FORMAT, "tiny-random",
                new FoleyNetConfig.Video(8, withVit ? "visual.safetensors" : null, true, 2),
                new FoleyNetConfig.Text("minilm", 16),
                new FoleyNetConfig.Aligner("aligner.safetensors", feat, 24, true, 24),
                new FoleyNetConfig.Decoder("decoder.safetensors", dit, 24000 / 256.0, 1, 0, null),
                new FoleyNetConfig.Sampler("dpm++2m", 4, 3.0, "v", 1000, 1e-4, 0.02, 0),
                new FoleyNetConfig.Vocoder("vocos", "vocoder.safetensors", 24000, 1024, 256, 16, 0, 12000, 0, 32, 48, 2,
                        128));
    }

    /**
     * The edge-sized layout measured by the bench: CLIP ViT-B/16 (or none), a bidirectional LSTM aligner (FP16 in
     * mixed mode), DitConfig.defaults()-sized decoder over 64 mel bands at 48 kHz / hop 512 (93.75 frames/s, a
     * 1024-frame window = 10.9 s), 25 DPM-Solver++ steps with guidance 4.5, an 8-block Vocos at 48 kHz.
     */
    public static FoleyNetConfig edge(boolean withVit) {
        VitConfig v = VitConfig.clipB16();
        int feat = (withVit ? v.outputDim() : 0) + 2;
        DitConfig d = DitConfig.defaults();
        DitConfig dit = new DitConfig(64, d.patch(), d.hidden(), d.heads(), d.depth(), d.mlpHidden(), 384, 256,
                d.freqDim(), 1024, 32, 2, true, d.eps());
        return new FoleyNetConfig(FoleyNetConfig.FORMAT, "edge-random",
                new FoleyNetConfig.Video(8, withVit ? "visual.safetensors" : null, true, 2),
                new FoleyNetConfig.Text("minilm", 32),
                new FoleyNetConfig.Aligner("aligner.safetensors", feat, 256, true, 256),
                new FoleyNetConfig.Decoder("decoder.safetensors", dit, 48000 / 512.0, 1, 0, null),
                new FoleyNetConfig.Sampler("dpm++2m", 25, 4.5, "v", 1000, 1e-4, 0.02, 0),
                new FoleyNetConfig.Vocoder("vocos", "vocoder.safetensors", 48000, 2048, 512, 64, 0, 24000, 0, 384, 1152,
                        8, 2048));
    }

    /** Writes {@code cfg} and random weights for each of its components into {@code dir}. */
    public static void write(FoleyNetConfig cfg, Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            if (cfg.video().vit() != null) {
                VitConfig vc = cfg.aligner().inputDim() - cfg.video().motionDim() == VitConfig.tinyClip().outputDim()
                        ? VitConfig.tinyClip() : VitConfig.clipB16();
                SafetensorsWriter w = new SafetensorsWriter().config(vc.toJson()).metadata("source", "random seed " + seed);
                fill(w, VitWeights.table(vc), rnd, arena);
                w.write(dir.resolve(cfg.video().vit()));
            }
            SafetensorsWriter a = new SafetensorsWriter().metadata("source", "random seed " + seed);
            fill(a, Aligner.table(cfg.aligner()), rnd, arena);
            a.write(dir.resolve(cfg.aligner().file()));
            SafetensorsWriter d = new SafetensorsWriter().metadata("source", "random seed " + seed);
            fill(d, DitWeights.table(cfg.decoder().dit()), rnd, arena);
            d.write(dir.resolve(cfg.decoder().file()));
            if ("vocos".equals(cfg.vocoder().kind())) {
                SafetensorsWriter v = new SafetensorsWriter().metadata("source", "random seed " + seed);
                fill(v, VocosWeights.table(cfg.vocoder().vocos()), rnd, arena);
                v.write(dir.resolve(cfg.vocoder().file()));
            }
        }
        cfg.write(dir);
    }

    private static void fill(SafetensorsWriter w, WeightTable t, SplittableRandom rnd, Arena arena) {
        for (WeightTable.Expected e : t.expected().values()) {
            int[] s = e.shape();
            long n = 1;
            for (int x : s) n *= x;
            float[] v = new float[Math.toIntExact(n)];
            boolean norm = e.name().contains("norm") || e.name().contains("ln_") || e.name().contains("layernorm");
            double std = s.length >= 2 ? 1 / Math.sqrt(n / s[0]) : 0.01;
            for (int i = 0; i < v.length; i++) {
                double g = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
                v[i] = norm && s.length == 1 && e.name().endsWith("weight") ? 1f : (float) (g * std);
            }
            if (e.name().endsWith("window")) {                     // an iSTFT window: periodic Hann
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / v.length));
            }
            w.add(e.name(), Tensor.ofFloats(arena, v, s));
        }
    }
}
