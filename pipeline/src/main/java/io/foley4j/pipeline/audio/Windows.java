package io.foley4j.pipeline.audio;

/**
 * Analysis windows as in torch.*_window and the ONNX HannWindow / HammingWindow / BlackmanWindow ops. A periodic
 * window of length n is the first n points of the symmetric window of length n + 1 (the form STFTs want); values
 * are computed in double and rounded once to float.
 */
public final class Windows {
    private Windows() {}

    /** torch.hamming_window's coefficients: w = ALPHA - BETA cos(2 pi k / N). */
    public static final double HAMMING_ALPHA = 0.54, HAMMING_BETA = 0.46;
    /** ONNX HammingWindow's coefficients (25/46, 21/46: the first side lobe is cancelled exactly). */
    public static final double ONNX_HAMMING_ALPHA = 25.0 / 46, ONNX_HAMMING_BETA = 21.0 / 46;

    /** w[k] = 0.5 - 0.5 cos(2 pi k / N), N = n (periodic) or n - 1 (symmetric). */
    public static float[] hann(int n, boolean periodic) {
        return cosineSum("hann", n, periodic, 0.5, 0.5, 0);
    }

    /** torch.hamming_window(n, periodic) (alpha 0.54, beta 0.46). */
    public static float[] hamming(int n, boolean periodic) {
        return hamming(n, periodic, HAMMING_ALPHA, HAMMING_BETA);
    }

    /** w[k] = alpha - beta cos(2 pi k / N). */
    public static float[] hamming(int n, boolean periodic, double alpha, double beta) {
        return cosineSum("hamming", n, periodic, alpha, beta, 0);
    }

    /** w[k] = 0.42 - 0.5 cos(2 pi k / N) + 0.08 cos(4 pi k / N). */
    public static float[] blackman(int n, boolean periodic) {
        return cosineSum("blackman", n, periodic, 0.42, 0.5, 0.08);
    }

    /** All ones (torch.stft's window when none is given). */
    public static float[] rectangular(int n) {
        check("rectangular", n);
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1f);
        return w;
    }

    /**
     * Zero-pads {@code window} on both sides to {@code nFft} (left pad (nFft - length) / 2), as torch.stft does when
     * win_length < n_fft.
     */
    public static float[] centerPad(float[] window, int nFft) {
        if (window.length > nFft) {
            throw new IllegalArgumentException("centerPad: window length " + window.length + " exceeds n_fft " + nFft);
        }
        float[] out = new float[nFft];
        System.arraycopy(window, 0, out, (nFft - window.length) / 2, window.length);
        return out;
    }

    private static float[] cosineSum(String op, int n, boolean periodic, double a0, double a1, double a2) {
        check(op, n);
        float[] w = new float[n];
        if (n == 1) {
            w[0] = 1f; // torch: a window of length 1 is [1]
            return w;
        }
        int denom = periodic ? n : n - 1;
        for (int k = 0; k < n; k++) {
            double x = 2 * Math.PI * k / denom;
            w[k] = (float) (a0 - a1 * Math.cos(x) + a2 * Math.cos(2 * x));
        }
        return w;
    }

    private static void check(String op, int n) {
        if (n <= 0) throw new IllegalArgumentException(op + ": window length must be positive, got " + n);
    }
}
