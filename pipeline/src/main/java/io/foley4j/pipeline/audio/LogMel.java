package io.foley4j.pipeline.audio;

/**
 * (Log-)mel spectrogram plan: STFT frame, |X|^power, mel filterbank, then optionally log(max(mel, floor)). Matches
 * torchaudio.transforms.MelSpectrogram followed by torch.log(torch.clamp(mel, min=floor)). The filterbank is stored
 * sparsely (each band's non-zero bin range). Output layout [frames, nMels]. Not thread-safe.
 */
public final class LogMel {

    /** Natural log (HiFi-GAN, Vocos), log10 (Whisper) or none (the plain mel spectrogram). */
    public enum Log { NONE, LN, LOG10 }

    /**
     * @param power 1 (magnitude) or 2 (power spectrogram)
     * @param floor clamp applied before the log (ignored for {@link Log#NONE})
     */
    public record Config(StftConfig stft, int sampleRate, int nMels, double fMin, double fMax, Mel.Scale scale,
                         Mel.Norm norm, int power, Log log, float floor) {
        public Config {
            if (power != 1 && power != 2) throw new IllegalArgumentException("logMel: power must be 1 or 2, got " + power);
            if (!stft.onesided()) throw new IllegalArgumentException("logMel: needs a one-sided STFT");
            if (log != Log.NONE && !(floor > 0)) throw new IllegalArgumentException("logMel: log floor must be > 0, got " + floor);
        }
    }

    private final Config cfg;
    private final Stft stft;
    private final int bins, nMels;
    private final int[] first, count; // [nMels] non-zero bin range of each band
    private final float[] weights;    // bands' non-zero weights, concatenated
    private final int[] offset;       // [nMels] start of each band in weights
    private final float[] spec, mag;  // [bins, 2], [bins] frame scratch

    public LogMel(Config cfg) {
        this.cfg = cfg;
        this.stft = new Stft(cfg.stft());
        this.bins = cfg.stft().bins();
        this.nMels = cfg.nMels();
        float[] fb = Mel.filterbank(bins, cfg.fMin(), cfg.fMax(), nMels, cfg.sampleRate(), cfg.norm(), cfg.scale());
        first = new int[nMels];
        count = new int[nMels];
        offset = new int[nMels];
        int total = 0;
        for (int m = 0; m < nMels; m++) {
            int lo = 0, hi = bins - 1;
            while (lo < bins && fb[lo * nMels + m] == 0f) lo++;
            while (hi >= lo && fb[hi * nMels + m] == 0f) hi--;
            first[m] = lo;
            count[m] = Math.max(0, hi - lo + 1);
            offset[m] = total;
            total += count[m];
        }
        weights = new float[total];
        for (int m = 0; m < nMels; m++) {
            for (int i = 0; i < count[m]; i++) weights[offset[m] + i] = fb[(first[m] + i) * nMels + m];
        }
        spec = new float[2 * bins];
        mag = new float[bins];
    }

    public Config config() { return cfg; }

    public int frames(int length) { return cfg.stft().frames(length); }

    public float[] compute(float[] signal) {
        float[] out = new float[frames(signal.length) * nMels];
        compute(signal, signal.length, out);
        return out;
    }

    /** Writes the (log-)mel spectrogram of {@code signal[0, length)} into {@code out} [frames(length), nMels]. */
    public void compute(float[] signal, int length, float[] out) {
        int frames = frames(length);
        if (out.length < (long) frames * nMels) {
            throw new IllegalArgumentException("logMel: operand out needs " + (long) frames * nMels + " floats ("
                    + frames + " frames x " + nMels + " mels) but has " + out.length);
        }
        for (int f = 0; f < frames; f++) {
            stft.frame(signal, length, f, spec, 0);
            for (int k = 0; k < bins; k++) {
                float re = spec[2 * k], im = spec[2 * k + 1], p = re * re + im * im;
                mag[k] = cfg.power() == 2 ? p : (float) Math.sqrt(p);
            }
            for (int m = 0; m < nMels; m++) {
                float acc = 0f;
                int w = offset[m], b = first[m];
                for (int i = 0; i < count[m]; i++) acc += mag[b + i] * weights[w + i];
                out[f * nMels + m] = switch (cfg.log()) {
                    case NONE -> acc;
                    case LN -> (float) Math.log(Math.max(acc, cfg.floor()));
                    case LOG10 -> (float) Math.log10(Math.max(acc, cfg.floor()));
                };
            }
        }
    }
}
