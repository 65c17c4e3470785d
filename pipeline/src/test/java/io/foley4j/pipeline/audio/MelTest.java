package io.foley4j.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import org.junit.jupiter.api.Test;

/** Windows, mel filterbanks and log-mel vs torch / torchaudio 0.13.1 (make_reference.py). */
class MelTest {

    @Test
    void windowsMatchTorch() {
        for (String kind : new String[] {"hann", "hamming", "blackman"}) {
            for (int n : new int[] {1, 2, 10, 63, 400}) {
                for (boolean periodic : new boolean[] {true, false}) {
                    float[] w = switch (kind) {
                        case "hann" -> Windows.hann(n, periodic);
                        case "hamming" -> Windows.hamming(n, periodic);
                        default -> Windows.blackman(n, periodic);
                    };
                    Ref.Array ref = Ref.npy("win_" + kind + "_" + n + "_" + (periodic ? "p" : "s"));
                    Diff d = Diff.of(w, ref.data(), 1.0);
                    // torch evaluates the cosines in float32: a few ulps
                    assertTrue(d.maxAbs() <= 1e-6, kind + " n=" + n + " periodic=" + periodic + ": " + d);
                }
            }
        }
    }

    /**
     * torchaudio.functional.melscale_fbanks, both scales, both norms. Metric: max abs error <= 1e-5 (values <= 1;
     * torchaudio works in float32, so filter edges differ by a few 1e-6 from this double-precision evaluation).
     */
    @Test
    void filterbanksMatchTorchaudio() {
        for (String[] c : Ref.cases("ref/mel_cases.txt")) {
            Mel.Norm norm = c[6].equals("slaney") ? Mel.Norm.SLANEY : Mel.Norm.NONE;
            Mel.Scale scale = c[7].equals("slaney") ? Mel.Scale.SLANEY : Mel.Scale.HTK;
            float[] fb = Mel.filterbank(Integer.parseInt(c[1]), Double.parseDouble(c[2]), Double.parseDouble(c[3]),
                    Integer.parseInt(c[4]), Integer.parseInt(c[5]), norm, scale);
            Ref.Array ref = Ref.npy("mel_" + c[0]);
            Diff d = Diff.of(fb, ref.data(), 1.0);
            assertTrue(d.maxAbs() <= 1e-5, "filterbank " + String.join(" ", c) + ": " + d);
        }
    }

    @Test
    void melScalesRoundTrip() {
        for (Mel.Scale s : Mel.Scale.values()) {
            for (double hz : new double[] {0, 100, 999.9, 1000, 1000.1, 8000, 24000}) {
                assertEquals(hz, Mel.melToHz(Mel.hzToMel(hz, s), s), 1e-9 * Math.max(1, hz), s + " " + hz);
            }
        }
        assertEquals(15.0, Mel.hzToMel(1000, Mel.Scale.SLANEY), 1e-12);
        assertEquals(2595 * Math.log10(1 + 1000 / 700.0), Mel.hzToMel(1000, Mel.Scale.HTK), 1e-12);
    }

    /**
     * torchaudio.transforms.MelSpectrogram(power 2, Slaney) + log(clamp(1e-5)) on the recorded glass door sound.
     * Metric: max |actual - expected| of the log values <= 1e-4 where the mel energy is above 1e-3 of the floor
     * (near the floor a log amplifies float32 rounding of tiny energies) and <= 1e-2 everywhere.
     */
    @Test
    void logMelOfRealSoundMatchesTorchaudio() throws Exception {
        Wav.Audio a = Wav.read(Ref.path("glass_door_open.wav"));
        StftConfig stft = StftConfig.hann(512, 128, 512);
        LogMel plan = new LogMel(new LogMel.Config(stft, a.sampleRate(), 64, 0, a.sampleRate() / 2.0,
                Mel.Scale.SLANEY, Mel.Norm.SLANEY, 2, LogMel.Log.LN, 1e-5f));
        float[] got = plan.compute(a.samples());
        Ref.Array ref = Ref.npy("logmel_glass");
        assertArrayEquals(new int[] {plan.frames(a.frames()), 64}, ref.shape());
        Diff all = Diff.of(got, ref.data(), 1.0);
        assertTrue(all.maxAbs() <= 1e-2, "log-mel: " + all);
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            if (ref.data()[i] > Math.log(1e-5) + 1) worst = Math.max(worst, Math.abs(got[i] - ref.data()[i]));
        }
        assertTrue(worst <= 1e-4, "log-mel above the floor: max abs error " + worst + " (all: " + all + ")");
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mel.filterbank(129, 8000, 100, 40, 16000, Mel.Norm.NONE, Mel.Scale.HTK));
        assertTrue(e.getMessage().contains("fMin 8000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Windows.hann(0, true));
        assertTrue(e.getMessage().contains("hann"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LogMel.Config(StftConfig.hann(64, 16, 64), 16000,
                8, 0, 8000, Mel.Scale.HTK, Mel.Norm.NONE, 3, LogMel.Log.LN, 1e-5f));
        assertTrue(e.getMessage().contains("power"), e.getMessage());
    }
}
