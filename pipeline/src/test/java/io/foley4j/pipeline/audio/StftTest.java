package io.foley4j.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import org.junit.jupiter.api.Test;

/**
 * STFT / iSTFT vs torch.stft(return_complex=True) / torch.istft (make_reference.py, cases in ref/stft_cases.txt:
 * odd and even n_fft, win_length < n_fft, reflect and constant padding, center off, normalized, two-sided).
 * Metric: max |actual - expected| / max(|expected|, 1) <= 1e-4 (absolute below 1, relative above).
 */
class StftTest {
    static final double TOL = 1e-4;

    static StftConfig config(String[] c) {
        int nFft = Integer.parseInt(c[1]), hop = Integer.parseInt(c[2]), win = Integer.parseInt(c[3]);
        boolean periodic = Boolean.parseBoolean(c[5]);
        float[] w = switch (c[4]) {
            case "hann" -> Windows.hann(win, periodic);
            case "hamming" -> Windows.hamming(win, periodic);
            case "blackman" -> Windows.blackman(win, periodic);
            default -> throw new IllegalStateException(c[4]);
        };
        StftConfig.PadMode pad = c[7].equals("reflect") ? StftConfig.PadMode.REFLECT : StftConfig.PadMode.CONSTANT;
        return new StftConfig(nFft, hop, Windows.centerPad(w, nFft), Boolean.parseBoolean(c[6]), pad,
                Boolean.parseBoolean(c[9]), Boolean.parseBoolean(c[8]));
    }

    static void close(String what, float[] actual, Ref.Array expected) {
        Diff d = Diff.of(actual, expected.data(), 1.0);
        assertTrue(d.maxRel() <= TOL, what + ": " + d);
    }

    @Test
    void forwardMatchesTorch() {
        for (String[] c : Ref.cases("ref/stft_cases.txt")) {
            StftConfig cfg = config(c);
            Ref.Array x = Ref.npy("stft_" + c[0] + "_x"), spec = Ref.npy("stft_" + c[0] + "_spec");
            assertEquals(spec.shape()[0], cfg.frames(x.data().length), "case " + c[0] + " frames");
            assertEquals(spec.shape()[1], cfg.bins(), "case " + c[0] + " bins");
            close("stft case " + c[0], new Stft(cfg).forward(x.data()), spec);
        }
    }

    @Test
    void inverseMatchesTorch() {
        int checked = 0;
        for (String[] c : Ref.cases("ref/stft_cases.txt")) {
            StftConfig cfg = config(c);
            if (!cfg.onesided()) continue; // iSTFT takes one-sided spectrograms only
            Stft plan = new Stft(cfg);
            Ref.Array rnd = Ref.npy("stft_" + c[0] + "_rnd");
            int frames = rnd.shape()[0], length = Integer.parseInt(c[10]);
            close("istft case " + c[0], plan.inverse(rnd.data(), frames, length), Ref.npy("stft_" + c[0] + "_istft"));
            close("istft default length case " + c[0], plan.inverse(rnd.data(), frames),
                    Ref.npy("stft_" + c[0] + "_istft_default"));
            close("istft padded length case " + c[0], plan.inverse(rnd.data(), frames, length + 37),
                    Ref.npy("stft_" + c[0] + "_istft_long"));
            checked++;
        }
        assertEquals(6, checked);
    }

    @Test
    void roundTripRecoversSignal() {
        for (String[] c : Ref.cases("ref/stft_cases.txt")) {
            StftConfig cfg = config(c);
            if (!cfg.onesided()) continue;
            Stft plan = new Stft(cfg);
            float[] x = Ref.npy("stft_" + c[0] + "_x").data();
            int frames = cfg.frames(x.length), covered = Math.min(x.length, cfg.defaultLength(frames));
            float[] y = plan.inverse(plan.forward(x), frames, x.length);
            // without centring, samples past the last full frame are not covered and come back as zeros
            Diff d = Diff.of(java.util.Arrays.copyOf(y, covered), java.util.Arrays.copyOf(x, covered), 1.0);
            assertTrue(d.maxAbs() <= 1e-5 * 8, "round trip case " + c[0] + ": " + d);
        }
    }

    @Test
    void framesMatchForward() {
        StftConfig cfg = StftConfig.hann(64, 16, 48);
        Stft plan = new Stft(cfg);
        float[] x = Ref.npy("stft_c_x").data();
        float[] all = plan.forward(x);
        float[] one = new float[2 * cfg.bins()];
        int f = cfg.frames(x.length) - 1;
        plan.frame(x, x.length, f, one, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, f * one.length, (f + 1) * one.length), one);
    }

    @Test
    void rejectsBadInput() {
        Stft plan = new Stft(StftConfig.hann(64, 16, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.forward(new float[32]));
        assertTrue(e.getMessage().contains("reflect padding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> plan.forward(new float[100], 100, new float[10]));
        assertTrue(e.getMessage().contains("operand out"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StftConfig.of(64, 16, new float[65], true,
                StftConfig.PadMode.REFLECT));
        assertTrue(e.getMessage().contains("exceeds n_fft"), e.getMessage());
        // a window that is zero where frames do not overlap: the overlap-add envelope vanishes (NOLA fails)
        StftConfig gap = new StftConfig(8, 8, Windows.centerPad(Windows.hann(6, false), 8), false,
                StftConfig.PadMode.CONSTANT, true, false);
        e = assertThrows(IllegalArgumentException.class, () -> new Stft(gap).inverse(new float[3 * 5 * 2], 3));
        assertTrue(e.getMessage().contains("NOLA"), e.getMessage());
    }
}
