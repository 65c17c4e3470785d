package io.foley4j.pipeline.audio;

/**
 * Mel scales and triangular mel filterbanks. {@link #filterbank} follows torchaudio.functional.melscale_fbanks
 * (Slaney scale + Slaney norm is librosa's default); {@link #onnxMelWeightMatrix} follows the ONNX
 * MelWeightMatrix operator. Filterbanks are laid out [nFreqs, nMels], the matrix that maps a frame's spectrum to
 * its mel bands: mel[m] = sum_f spec[f] * fb[f * nMels + m].
 */
public final class Mel {
    private Mel() {}

    /** HTK: mel = 2595 log10(1 + f / 700). Slaney: linear below 1 kHz (f / (200/3)), logarithmic above. */
    public enum Scale { HTK, SLANEY }

    /** Filter normalization: none (peak 1) or Slaney's (each filter scaled by 2 / its bandwidth in Hz: equal area). */
    public enum Norm { NONE, SLANEY }

    private static final double F_SP = 200.0 / 3, MIN_LOG_HZ = 1000, MIN_LOG_MEL = MIN_LOG_HZ / F_SP,
            LOG_STEP = Math.log(6.4) / 27;

    public static double hzToMel(double hz, Scale scale) {
        if (scale == Scale.HTK) return 2595 * Math.log10(1 + hz / 700);
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    public static double melToHz(double mel, Scale scale) {
        if (scale == Scale.HTK) return 700 * (Math.pow(10, mel / 2595) - 1);
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }

    /**
     * torchaudio.functional.melscale_fbanks(nFreqs, fMin, fMax, nMels, sampleRate, norm, melScale): bins at
     * linspace(0, sampleRate / 2 (integer division), nFreqs) Hz; nMels + 2 points equally spaced in mel between
     * fMin and fMax; filter m rises from point m to m + 1 and falls to m + 2. Returns [nFreqs, nMels].
     */
    public static float[] filterbank(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, Norm norm,
                                     Scale scale) {
        if (nFreqs < 2 || nMels <= 0 || sampleRate <= 0 || !(fMin >= 0) || !(fMax > fMin)) {
            throw new IllegalArgumentException("melFilterbank: illegal nFreqs " + nFreqs + ", nMels " + nMels
                    + ", sampleRate " + sampleRate + ", fMin " + fMin + ", fMax " + fMax);
        }
        double mMin = hzToMel(fMin, scale), mMax = hzToMel(fMax, scale);
        double[] fPts = new double[nMels + 2];
        for (int i = 0; i < fPts.length; i++) fPts[i] = melToHz(mMin + (mMax - mMin) * i / (nMels + 1), scale);
        float[] fb = new float[nFreqs * nMels];
        double nyquist = sampleRate / 2; // integer division, as torchaudio
        for (int f = 0; f < nFreqs; f++) {
            double hz = nyquist * f / (nFreqs - 1);
            for (int m = 0; m < nMels; m++) {
                double down = (hz - fPts[m]) / (fPts[m + 1] - fPts[m]);
                double up = (fPts[m + 2] - hz) / (fPts[m + 2] - fPts[m + 1]);
                double w = Math.max(0, Math.min(down, up));
                if (norm == Norm.SLANEY) w *= 2 / (fPts[m + 2] - fPts[m]);
                fb[f * nMels + m] = (float) w;
            }
        }
        return fb;
    }

    /**
     * The ONNX MelWeightMatrix operator: HTK-scale triangles on integer FFT bins, [dftLength / 2 + 1, numMelBins].
     * Band edges are mel points lower + i * (upper - lower) / (numMelBins + 2) (sic: the operator's reference
     * divides by the point count), mapped to bin floor((dftLength + 1) * hz / sampleRate).
     */
    public static float[] onnxMelWeightMatrix(int numMelBins, int dftLength, int sampleRate, double lowerHz,
                                              double upperHz) {
        if (numMelBins <= 0 || dftLength <= 0 || sampleRate <= 0 || !(upperHz > lowerHz)) {
            throw new IllegalArgumentException("MelWeightMatrix: illegal numMelBins " + numMelBins + ", dftLength "
                    + dftLength + ", sampleRate " + sampleRate + ", edges " + lowerHz + ".." + upperHz);
        }
        int nBins = dftLength / 2 + 1, points = numMelBins + 2;
        double lo = hzToMel(lowerHz, Scale.HTK), hi = hzToMel(upperHz, Scale.HTK), step = (hi - lo) / points;
        int[] bin = new int[points];
        for (int i = 0; i < points; i++) {
            bin[i] = (int) Math.floor((dftLength + 1) * melToHz(i * step + lo, Scale.HTK) / sampleRate);
            if (bin[i] >= nBins) {
                throw new IllegalArgumentException("MelWeightMatrix: upper edge " + upperHz + " Hz lies above the"
                        + " Nyquist bin for dftLength " + dftLength + " at " + sampleRate + " Hz");
            }
        }
        float[] out = new float[nBins * numMelBins];
        for (int m = 0; m < numMelBins; m++) {
            int lower = bin[m], center = bin[m + 1], upper = bin[m + 2];
            if (center == lower) {
                out[center * numMelBins + m] = 1f;
            } else {
                for (int j = lower; j <= center; j++) out[j * numMelBins + m] = (float) (j - lower) / (center - lower);
            }
            for (int j = center; j < upper; j++) out[j * numMelBins + m] = (float) (upper - j) / (upper - center);
        }
        return out;
    }
}
