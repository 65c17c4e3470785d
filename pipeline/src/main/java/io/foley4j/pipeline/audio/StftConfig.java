package io.foley4j.pipeline.audio;

/**
 * Parameters of a short-time Fourier transform, with torch.stft's meaning.
 *
 * @param nFft       FFT size (frame length); any size >= 2
 * @param hop        samples between frame starts
 * @param window     analysis/synthesis window, already zero-padded to {@code nFft} (see {@link #of})
 * @param center     pad {@code nFft / 2} samples on both sides so frame t is centred on sample t * hop
 * @param padMode    how the centre padding is filled
 * @param onesided   keep bins 0..nFft/2 only (real input); otherwise all nFft bins (Hermitian-symmetric)
 * @param normalized scale the forward transform by 1/sqrt(nFft) (and the inverse by sqrt(nFft))
 */
public record StftConfig(int nFft, int hop, float[] window, boolean center, PadMode padMode, boolean onesided,
                         boolean normalized) {

    /** Centre padding: reflect (torch.stft's default, x[-i] = x[i]) or zeros. */
    public enum PadMode { REFLECT, CONSTANT }

    public StftConfig {
        if (nFft < 2 || hop <= 0) {
            throw new IllegalArgumentException("stft: illegal n_fft " + nFft + " / hop " + hop);
        }
        if (window == null || window.length != nFft) {
            throw new IllegalArgumentException("stft: window length " + (window == null ? "null" : window.length)
                    + " must equal n_fft " + nFft + " (pad it with Windows.centerPad)");
        }
        if (padMode == null) throw new IllegalArgumentException("stft: padMode is null");
        window = window.clone();
    }

    /** torch.stft(n_fft, hop, win_length, window, center, pad_mode, normalized=False, onesided=True). */
    public static StftConfig of(int nFft, int hop, float[] window, boolean center, PadMode padMode) {
        return new StftConfig(nFft, hop, Windows.centerPad(window, nFft), center, padMode, true, false);
    }

    /** The common case: periodic Hann of length winLength, centred with reflect padding, one-sided. */
    public static StftConfig hann(int nFft, int hop, int winLength) {
        return of(nFft, hop, Windows.hann(winLength, true), true, PadMode.REFLECT);
    }

    @Override public float[] window() { return window.clone(); }

    /** Frequency bins per frame: nFft / 2 + 1 when one-sided, else nFft. */
    public int bins() { return onesided ? nFft / 2 + 1 : nFft; }

    /** Frames for a signal of {@code length} samples (torch.stft's count). */
    public int frames(int length) {
        int padded = center ? length + 2 * (nFft / 2) : length;
        if (padded < nFft) {
            throw new IllegalArgumentException("stft: signal of " + length + " samples is shorter than n_fft " + nFft
                    + (center ? " after centre padding" : ""));
        }
        return 1 + (padded - nFft) / hop;
    }

    /** Samples torch.istft returns by default (no length given) for {@code frames} frames. */
    public int defaultLength(int frames) {
        int full = nFft + hop * (frames - 1);
        return center ? full - 2 * (nFft / 2) : full;
    }
}
