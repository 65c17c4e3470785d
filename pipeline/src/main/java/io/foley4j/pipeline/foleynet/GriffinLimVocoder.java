package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.audio.GriffinLim;
import io.foley4j.pipeline.audio.Mel;
import io.foley4j.pipeline.audio.StftConfig;

/**
 * The weight-free fallback vocoder: the mel magnitudes mapped back to linear frequency by the filterbank's transpose
 * normalized per bin (a non-negative approximate inverse), then Griffin-Lim phase reconstruction.
 */
public final class GriffinLimVocoder implements MelVocoder {
    private final FoleyNetConfig.Vocoder cfg;
    private final float[] fb;            // [bins, nMels]
    private final float[] binNorm;       // [bins] 1 / sum_m fb[f, m]
    private final int bins;

    public GriffinLimVocoder(FoleyNetConfig.Vocoder cfg) {
        this.cfg = cfg;
        this.bins = cfg.nFft() / 2 + 1;
        this.fb = Mel.filterbank(bins, cfg.fMin(), cfg.fMax(), cfg.nMels(), cfg.sampleRate(), Mel.Norm.SLANEY,
                Mel.Scale.SLANEY);
        this.binNorm = new float[bins];
        for (int f = 0; f < bins; f++) {
            double s = 0;
            for (int m = 0; m < cfg.nMels(); m++) s += fb[f * cfg.nMels() + m] * fb[f * cfg.nMels() + m];
            binNorm[f] = s > 0 ? (float) (1 / s) : 0;
        }
    }

    @Override
    public int sampleRate() {
        return cfg.sampleRate();
    }

    @Override
    public int hop() {
        return cfg.hop();
    }

    @Override
    public String describe() {
        return "Griffin-Lim (" + cfg.iterations() + " iterations)";
    }

    @Override
    public float[] synthesize(float[] logMel, int frames, WorkerPool pool) {
        int nMels = cfg.nMels();
        if (logMel.length != frames * nMels) {
            throw new IllegalArgumentException("GriffinLimVocoder: log-mel must be [" + frames + ", " + nMels + "], got "
                    + logMel.length + " values");
        }
        float[] mag = new float[frames * bins];
        float[] mel = new float[nMels];
        for (int t = 0; t < frames; t++) {
            for (int m = 0; m < nMels; m++) mel[m] = (float) Math.exp(Math.min(20, logMel[t * nMels + m]));
            for (int f = 0; f < bins; f++) {
                double s = 0;
                for (int m = 0; m < nMels; m++) s += fb[f * nMels + m] * mel[m];
                mag[t * bins + f] = (float) (s * binNorm[f]);
            }
        }
        StftConfig stft = StftConfig.hann(cfg.nFft(), cfg.hop(), cfg.nFft());
        GriffinLim gl = new GriffinLim(stft);
        // a centred STFT of (frames - 1) * hop samples has exactly `frames` frames; the last hop is left silent
        float[] w = gl.run(mag, frames, (frames - 1) * cfg.hop(), cfg.iterations(), 0.99, GriffinLim.Init.ZERO, 0)
                .waveform();
        return java.util.Arrays.copyOf(w, frames * cfg.hop());
    }
}
