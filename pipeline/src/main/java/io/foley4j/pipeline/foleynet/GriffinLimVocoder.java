package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.audio.GriffinLim;
import io.foley4j.pipeline.audio.Mel;
import io.foley4j.pipeline.audio.StftConfig;

/**
 * The weight-free fallback vocoder: the mel magnitudes mapped back to linear frequency, then Griffin-Lim phase
 * reconstruction. The approximate inverse gives bin f the filter-weighted mean of the bands' magnitude densities,
 * |X_f| = sum_m fb[f, m] (mel_m / sum_f' fb[f', m]) / sum_m fb[f, m]: non-negative, exact for a flat spectrum, and
 * bounded at bins the filters barely reach (a transpose normalized by sum_m fb^2 gave the Nyquist bin, whose weights
 * are ~1e-18 at fMax = sampleRate / 2, a gain of ~1e17 there: an inaudible 24 kHz tone that took the whole peak).
 */
public final class GriffinLimVocoder implements MelVocoder {
    private final FoleyNetConfig.Vocoder cfg;
    private final float[] fb;            // [bins, nMels]
    private final float[] binNorm;       // [bins] 1 / sum_m fb[f, m] (0 where no filter reaches)
    private final float[] bandNorm;      // [nMels] 1 / sum_f fb[f, m]
    private final int bins;

    public GriffinLimVocoder(FoleyNetConfig.Vocoder cfg) {
        this.cfg = cfg;
        this.bins = cfg.nFft() / 2 + 1;
        this.fb = Mel.filterbank(bins, cfg.fMin(), cfg.fMax(), cfg.nMels(), cfg.sampleRate(), Mel.Norm.SLANEY,
                Mel.Scale.SLANEY);
        int n = cfg.nMels();
        this.binNorm = new float[bins];
        this.bandNorm = new float[n];
        double[] band = new double[n];
        for (int f = 0; f < bins; f++) {
            double s = 0;
            for (int m = 0; m < n; m++) {
                s += fb[f * n + m];
                band[m] += fb[f * n + m];
            }
            binNorm[f] = s > 0 ? (float) (1 / s) : 0;
        }
        for (int m = 0; m < n; m++) bandNorm[m] = band[m] > 0 ? (float) (1 / band[m]) : 0;
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
            for (int m = 0; m < nMels; m++) mel[m] = (float) Math.exp(Math.min(20, logMel[t * nMels + m])) * bandNorm[m];
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
