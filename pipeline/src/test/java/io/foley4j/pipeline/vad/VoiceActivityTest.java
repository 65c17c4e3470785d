package io.foley4j.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.foley4j.pipeline.audio.Resampler;
import io.foley4j.pipeline.audio.Wav;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mixed.wav (made by models/src/test/resources/vad/make_audio.py): speech at 0.5-3.5 s and 4.5-6.0 s; silence,
 * white noise at -26 dBFS, music-like chords and near-silence elsewhere.
 */
class VoiceActivityTest {
    static final Path WAV = Path.of("../models/src/test/resources/vad/mixed.wav");
    static final double[][] SPEECH = {{0.5, 3.5}, {4.5, 6.0}};
    static final double SLACK = 0.15; // s: one chunk is 32 ms; the LSTM needs a few chunks to rise
    // s: after speech the probability stays high a while (LSTM hangover; measured 0.21 s into noise and 0.46 s into
    // the chords after the second sentence)
    static final double END_SLACK = 0.6;

    static Path model() {
        Path p = Path.of("../.cache/testdata/silero_vad_v5.onnx");
        if (!Files.exists(p)) {
            fail("missing " + p.toAbsolutePath().normalize() + ": run scripts/fetch-test-data.sh first");
        }
        return p;
    }

    /** Every segment lies inside a speech span (within SLACK), and each span is mostly covered. */
    static void assertSpeechSpans(List<VoiceActivity.Segment> segs) {
        assertTrue(!segs.isEmpty(), "no speech found: " + segs);
        double[] covered = new double[SPEECH.length];
        for (VoiceActivity.Segment s : segs) {
            int span = -1;
            for (int k = 0; k < SPEECH.length; k++) {
                if (s.start() >= SPEECH[k][0] - SLACK && s.end() <= SPEECH[k][1] + END_SLACK) span = k;
            }
            assertTrue(span >= 0, "segment " + s + " outside the speech spans; all: " + segs);
            covered[span] += s.end() - s.start();
        }
        for (int k = 0; k < SPEECH.length; k++) {
            double len = SPEECH[k][1] - SPEECH[k][0];
            assertTrue(covered[k] >= 0.5 * len, "speech " + SPEECH[k][0] + "-" + SPEECH[k][1] + " s covered "
                    + covered[k] + " s only; segments " + segs);
        }
    }

    @Test
    void findsTheTwoSpokenSentencesAndNothingElse() throws Exception {
        List<VoiceActivity.Segment> segs = VoiceActivity.detect(WAV, model(), 0.5f);
        System.out.println("mixed.wav speech segments: " + segs);
        assertSpeechSpans(segs);
    }

    @Test
    void stereo48kGivesTheSameSpans(@TempDir Path dir) throws Exception {
        Wav.Audio a = Wav.read(WAV);
        float[] up = Resampler.resample(a.channel(0), a.sampleRate(), 48_000, Resampler.Config.HIGH);
        float[] st = new float[2 * up.length];
        for (int i = 0; i < up.length; i++) {
            st[2 * i] = up[i];
            st[2 * i + 1] = up[i];
        }
        Path f = dir.resolve("stereo48k.wav");
        Wav.write(f, new Wav.Audio(48_000, 2, st), Wav.Format.PCM16);
        List<VoiceActivity.Segment> mono = VoiceActivity.detect(WAV, model(), 0.5f);
        List<VoiceActivity.Segment> stereo = VoiceActivity.detect(f, model(), 0.5f);
        assertSpeechSpans(stereo);
        assertEquals(mono.size(), stereo.size(), "mono " + mono + " vs stereo 48 kHz " + stereo);
        for (int i = 0; i < mono.size(); i++) {
            assertEquals(mono.get(i).start(), stereo.get(i).start(), 0.07, "segment " + i + ": " + mono + " vs " + stereo);
            assertEquals(mono.get(i).end(), stereo.get(i).end(), 0.07, "segment " + i + ": " + mono + " vs " + stereo);
        }
    }

    @Test
    void segmentsAreRunsAboveTheThreshold() {
        // 0.1 s chunks: a 0.1 s gap is not bridged, so 0.5-0.7 s (0.2 s) and 0.9-1.0 s are dropped as too short
        float[] p = {0.1f, 0.6f, 0.7f, 0.8f, 0.2f, 0.5f, 0.9f, 0.1f, 0.1f, 0.6f, 0.1f};
        assertEquals(List.of(new VoiceActivity.Segment(0.1, 0.4)), VoiceActivity.segments(p, 0.5f, 0.1));
        // 0.05 s chunks: the one-chunk gap (0.05 s) is bridged into one run 0.05-0.35 s
        float[] q = {0.1f, 0.6f, 0.7f, 0.8f, 0.2f, 0.5f, 0.9f, 0.1f};
        List<VoiceActivity.Segment> s = VoiceActivity.segments(q, 0.5f, 0.05);
        assertEquals(1, s.size(), s.toString());
        assertEquals(0.05, s.get(0).start(), 1e-9);
        assertEquals(0.35, s.get(0).end(), 1e-9);
    }
}
