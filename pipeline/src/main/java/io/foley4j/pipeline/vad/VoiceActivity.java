package io.foley4j.pipeline.vad;

import io.foley4j.models.vad.SileroVad;
import io.foley4j.pipeline.audio.Resampler;
import io.foley4j.pipeline.audio.Wav;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Voice-activity detection over a WAV file with Silero VAD v5 (16 kHz, 512-sample chunks, F32 weights). */
public final class VoiceActivity {
    private VoiceActivity() {}

    static final int RATE = 16_000;

    /** A speech span in seconds from the start of the file, end exclusive. */
    public record Segment(double start, double end) {
        public Segment {
            if (!(start >= 0 && end > start)) {
                throw new IllegalArgumentException("VoiceActivity.Segment: need 0 <= start < end, got " + start
                        + ", " + end);
            }
        }
    }

    /**
     * Speech segments of {@code wav} (any rate and channel count: mixed to mono, resampled to 16 kHz with
     * {@link Resampler.Config#HIGH}): runs of chunks whose speech probability is >= {@code threshold}, with
     * silero-vad's defaults for bridging short gaps and dropping short runs (see {@link #segments}).
     */
    public static List<Segment> detect(Path wav, Path sileroOnnx, float threshold) throws IOException {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("VoiceActivity.detect: threshold must be in (0, 1), got " + threshold);
        }
        Wav.Audio a = Wav.read(wav);
        float[] mono = new float[a.frames()];
        int ch = a.channels();
        float[] s = a.samples(); // interleaved [frames, channels]
        for (int i = 0; i < mono.length; i++) {
            float sum = 0;
            for (int c = 0; c < ch; c++) sum += s[i * ch + c];
            mono[i] = sum / ch;
        }
        float[] pcm = Resampler.resample(mono, a.sampleRate(), RATE, Resampler.Config.HIGH);
        float[] p;
        int chunk;
        try (SileroVad vad = SileroVad.load(sileroOnnx)) {
            chunk = vad.config().chunk();
            p = vad.speechProbabilities(pcm);
        }
        return segments(p, threshold, chunk / (double) RATE);
    }

    /** silero-vad's get_speech_timestamps defaults: shorter gaps are bridged, shorter runs dropped. */
    static final double MIN_SILENCE = 0.100, MIN_SPEECH = 0.250;

    /**
     * Runs of {@code p[i] >= threshold} (chunk i spans [i, i + 1) x {@code chunkSeconds}); runs separated by less
     * than {@link #MIN_SILENCE} are merged, then runs shorter than {@link #MIN_SPEECH} dropped.
     */
    static List<Segment> segments(float[] p, float threshold, double chunkSeconds) {
        List<Segment> runs = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= p.length; i++) {
            boolean speech = i < p.length && p[i] >= threshold;
            if (speech && start < 0) {
                start = i;
            } else if (!speech && start >= 0) {
                Segment s = new Segment(start * chunkSeconds, i * chunkSeconds);
                Segment last = runs.isEmpty() ? null : runs.getLast();
                if (last != null && s.start() - last.end() < MIN_SILENCE - 1e-9) {
                    runs.set(runs.size() - 1, new Segment(last.start(), s.end()));
                } else {
                    runs.add(s);
                }
                start = -1;
            }
        }
        runs.removeIf(s -> s.end() - s.start() < MIN_SPEECH - 1e-9);
        return runs;
    }
}
