package io.foley4j.models.vocoder;

/**
 * Shape of a Vocos-style vocoder (Siuzdak 2023): a ConvNeXt backbone over log-mel frames [frames, nMels] predicting,
 * per frame, log-magnitude and phase of {@code nFft / 2 + 1} bins, inverted by an iSTFT with hop {@code hop} and
 * centre padding ({@code (frames - 1) * hop} samples at {@code sampleRate}). Embedding and depthwise convolutions have
 * kernel {@link #KERNEL}; every LayerNorm uses eps {@link #EPS}.
 *
 * @param intermediate width of the ConvNeXt blocks' pointwise MLP
 * @param maxFrames    frames the state is sized for; a forward takes any count from 1 to this
 */
public record VocosConfig(int nMels, int dim, int intermediate, int layers, int nFft, int hop, int sampleRate,
                          int maxFrames) {
    /** Kernel of the embedding conv and of the depthwise convs ("same" padding {@code KERNEL / 2}). */
    public static final int KERNEL = 7;
    public static final float EPS = 1e-6f;

    public VocosConfig {
        if (nMels < 1 || dim < 1 || intermediate < 1 || layers < 0 || nFft < 2 || nFft % 2 != 0 || hop < 1
                || hop > nFft || sampleRate < 1 || maxFrames < 1) {
            throw new IllegalArgumentException("VocosConfig: sizes must be positive, nFft even and hop <= nFft, got "
                    + this);
        }
    }

    /** The configuration of the committed PyTorch reference (models/src/test/resources/vocoder). */
    public static VocosConfig tiny() {
        return new VocosConfig(16, 32, 48, 2, 64, 16, 16000, 64);
    }

    /**
     * A 48 kHz vocoder sized for the edge: 128 mels, hop 512 (93.75 frames/s), n_fft 2048, width 384, 8 blocks
     * (Vocos' 24 kHz release uses width 512, intermediate 1536), about 7.9M parameters; up to 2048 frames (21.8 s).
     */
    public static VocosConfig defaults() {
        return new VocosConfig(128, 384, 1152, 8, 2048, 512, 48000, 2048);
    }

    /** Frequency bins of the predicted spectrum: nFft / 2 + 1. */
    public int bins() {
        return nFft / 2 + 1;
    }

    /** Waveform samples for {@code frames} frames (torch.istft with center=True and no length). */
    public int samples(int frames) {
        return (frames - 1) * hop;
    }
}
