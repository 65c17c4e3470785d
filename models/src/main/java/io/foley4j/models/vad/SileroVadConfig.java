package io.foley4j.models.vad;

/**
 * Sizes of Silero VAD v5 at one sample rate. Each call sees {@code context + chunk} samples (the previous chunk's
 * tail, then the new chunk, as silero-vad's {@code OnnxWrapper} and vad-web feed the ONNX model), reflect-padded on
 * the right by {@code context}, then a magnitude STFT as a strided conv ({@code 2 * bins} real and imaginary basis
 * rows of {@code filter} taps, hop {@code filter / 2}): 4 frames.
 */
public record SileroVadConfig(int sampleRate, int chunk, int context, int filter, int hidden) {

    /** 512-sample chunks at 16 kHz, 256 at 8 kHz: the two rates the model was trained for. */
    public static SileroVadConfig forRate(int sampleRate) {
        return switch (sampleRate) {
            case 16_000 -> new SileroVadConfig(16_000, 512, 64, 256, 128);
            case 8_000 -> new SileroVadConfig(8_000, 256, 32, 128, 128);
            default -> throw new IllegalArgumentException("Silero VAD: sample rate " + sampleRate
                    + " Hz is not supported; the model takes 16000 or 8000 Hz (resample first)");
        };
    }

    public int hop() {
        return filter / 2;
    }

    /** Frequency bins of the magnitude spectrum: filter / 2 + 1. */
    public int bins() {
        return filter / 2 + 1;
    }

    /** Samples the STFT conv reads: context + chunk + right reflect padding (= context). */
    public int padded() {
        return chunk + 2 * context;
    }

    public int frames() {
        return (padded() - filter) / hop() + 1;
    }
}
