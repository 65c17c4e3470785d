package io.foley4j.pipeline.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * WAV (RIFF/WAVE) in the two sample formats the pipeline uses: 16-bit PCM and 32-bit IEEE float, interleaved
 * channels. 16-bit samples map to floats as s / 32768 and back as round(x * 32768) clamped to [-32768, 32767], so a
 * 16-bit file read and written again is bit-identical. Whole-file helpers here; {@link WavReader} and
 * {@link WavWriter} stream.
 */
public final class Wav {
    private Wav() {}

    public enum Format {
        PCM16(1, 16), FLOAT32(3, 32);

        /** WAVE_FORMAT_PCM = 1, WAVE_FORMAT_IEEE_FLOAT = 3. */
        public final int code;
        public final int bits;

        Format(int code, int bits) {
            this.code = code;
            this.bits = bits;
        }

        public int bytes() { return bits / 8; }
    }

    /** What a file holds: {@code frames} samples per channel of {@code format}. */
    public record Header(int sampleRate, int channels, Format format, long frames) {}

    /** Decoded audio: {@code samples} interleaved [frames, channels]. */
    public record Audio(int sampleRate, int channels, float[] samples) {
        public Audio {
            if (sampleRate <= 0 || channels <= 0 || samples.length % channels != 0) {
                throw new IllegalArgumentException("Audio: " + samples.length + " samples do not make whole frames of "
                        + channels + " channels (sample rate " + sampleRate + ")");
            }
        }

        public int frames() { return samples.length / channels; }

        /** Channel {@code c} as its own array. */
        public float[] channel(int c) {
            float[] out = new float[frames()];
            for (int i = 0; i < out.length; i++) out[i] = samples[i * channels + c];
            return out;
        }
    }

    /** Reads a whole file (at most 2^31 - 1 samples; longer files need {@link WavReader}). */
    public static Audio read(Path file) throws IOException {
        try (WavReader r = WavReader.open(file)) {
            Header h = r.header();
            long n = h.frames() * h.channels();
            if (n > Integer.MAX_VALUE - 8) {
                throw new WavFormatException(file, n + " samples do not fit one array; stream it with WavReader");
            }
            float[] samples = new float[(int) n];
            int got = r.read(samples, 0, (int) h.frames());
            if (got != h.frames()) throw new WavFormatException(file, "read " + got + " of " + h.frames() + " frames");
            return new Audio(h.sampleRate(), h.channels(), samples);
        }
    }

    /** Writes {@code audio} to {@code file} atomically (see {@link WavWriter}). */
    public static void write(Path file, Audio audio, Format format) throws IOException {
        try (WavWriter w = WavWriter.open(file, audio.sampleRate(), audio.channels(), format)) {
            w.write(audio.samples(), 0, audio.frames());
            w.finish();
        }
    }

    static short toPcm16(float x) {
        long v = Math.round(x * 32768.0);
        return (short) Math.max(-32768, Math.min(32767, v));
    }
}
