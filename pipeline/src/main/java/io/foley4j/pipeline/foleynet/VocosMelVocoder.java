package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.models.vocoder.VocosConfig;
import io.foley4j.pipeline.vocoder.VocosVocoder;
import io.foley4j.pipeline.window.CrossfadeStitcher;
import io.foley4j.pipeline.window.WindowPlan;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The neural vocoder of a FoleyNet (Vocos: ConvNeXt backbone, magnitude/phase head, iSTFT). Tracks longer than the
 * vocoder's {@code maxFrames} are vocoded in windows overlapping by {@link #OVERLAP} frames (more than the
 * backbone's receptive field) and cross-faded. Calls are serialized: the vocoder owns one scratch state.
 */
final class VocosMelVocoder implements MelVocoder {
    static final int OVERLAP = 64;
    private final VocosVocoder vocoder;
    private final VocosConfig c;

    VocosMelVocoder(VocosVocoder vocoder) {
        this.vocoder = vocoder;
        this.c = vocoder.config();
    }

    @Override
    public int sampleRate() {
        return c.sampleRate();
    }

    @Override
    public int hop() {
        return c.hop();
    }

    @Override
    public String describe() {
        return "Vocos (" + c.layers() + " ConvNeXt blocks, width " + c.dim() + ")";
    }

    @Override
    public synchronized float[] synthesize(float[] logMel, int frames, WorkerPool pool) {
        if (logMel.length != frames * c.nMels()) {
            throw new IllegalArgumentException("Vocos: log-mel must be [" + frames + ", " + c.nMels() + "], got "
                    + logMel.length + " values");
        }
        int hop = c.hop();
        List<WindowPlan.Span> plan = WindowPlan.plan(frames, c.maxFrames(), frames <= c.maxFrames() ? 0 : OVERLAP);
        List<float[]> waves = new ArrayList<>();
        List<WindowPlan.Span> samplePlan = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (WindowPlan.Span s : plan) {
                int a = (int) s.start(), n = s.length();
                float[] part = java.util.Arrays.copyOfRange(logMel, a * c.nMels(), (a + n) * c.nMels());
                float[] w = vocoder.synthesize(pool, Tensor.ofFloats(arena, part, n, c.nMels()));
                waves.add(java.util.Arrays.copyOf(w, n * hop));           // (n - 1) * hop samples, last hop silent
                samplePlan.add(new WindowPlan.Span(s.start() * hop, s.end() * hop));
            }
        }
        return waves.size() == 1 ? waves.get(0) : CrossfadeStitcher.stitch(samplePlan, 1, waves);
    }
}
