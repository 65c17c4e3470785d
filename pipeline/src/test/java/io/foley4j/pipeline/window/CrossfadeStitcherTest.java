package io.foley4j.pipeline.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crossfade stitching: constant gain for correlated content, exact pass-through, no clicks, streaming = whole. */
class CrossfadeStitcherTest {
    @TempDir Path dir;

    /** {total, window, overlap}: no overlap, small, half, over half (three windows meet), last shifted far back. */
    static final int[][] PLANS = {
        {1000, 1000, 100}, {37, 100, 25}, {1000, 100, 0}, {1003, 100, 0}, {1000, 100, 10}, {1013, 128, 64},
        {1000, 100, 70}, {1950, 1000, 100}, {4801, 480, 97}, {2, 1, 0},
    };

    interface Signal {
        float at(int t, int c);
    }

    /** Slices a signal x(t, c) into the plan's windows, interleaved. */
    static List<float[]> slice(List<WindowPlan.Span> plan, int channels, Signal x) {
        List<float[]> out = new ArrayList<>();
        for (WindowPlan.Span s : plan) {
            float[] w = new float[s.length() * channels];
            for (int k = 0; k < s.length(); k++) {
                for (int c = 0; c < channels; c++) w[k * channels + c] = x.at((int) (s.start() + k), c);
            }
            out.add(w);
        }
        return out;
    }

    static float sine(int t, int c) {
        return (float) (0.8 * Math.sin(2 * Math.PI * (0.013 + 0.007 * c) * t + c));
    }

    /** Largest |a - b| with its index. */
    static String diff(float[] a, float[] b, double[] worst) {
        int at = 0;
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (d > max) {
                max = d;
                at = i;
            }
        }
        worst[0] = max;
        return "max |diff| " + max + " at " + at + " (" + a[at] + " vs " + b[at] + ")";
    }

    @Test
    void correlatedContentIsReproduced() {
        double tol = 2e-7;   // |x| <= 1: one float rounding of the weighted sum and of the division
        for (int[] p : PLANS) {
            for (int channels = 1; channels <= 2; channels++) {
                List<WindowPlan.Span> plan = WindowPlan.plan(p[0], p[1], p[2]);
                int ch = channels;
                float[] expect = new float[p[0] * ch];
                for (int t = 0; t < p[0]; t++) for (int c = 0; c < ch; c++) expect[t * ch + c] = sine(t, c);
                float[] got = CrossfadeStitcher.stitch(plan, ch, slice(plan, ch, CrossfadeStitcherTest::sine));
                double[] w = new double[1];
                String d = diff(expect, got, w);
                assertTrue(w[0] <= tol, "sine, plan " + plan + " ch " + ch + ": " + d);

                float[] ones = CrossfadeStitcher.stitch(plan, ch, slice(plan, ch, (t, c) -> 1f));
                float[] one = new float[ones.length];
                Arrays.fill(one, 1f);
                d = diff(one, ones, w);
                assertTrue(w[0] <= tol, "constant gain, plan " + plan + " ch " + ch + ": " + d);
            }
        }
    }

    @Test
    void singleCoverageIsExactAndFadesAreRaisedCosine() {
        List<WindowPlan.Span> plan = WindowPlan.plan(1000, 100, 20);
        SplittableRandom r = new SplittableRandom(5);
        List<float[]> windows = new ArrayList<>();
        for (WindowPlan.Span s : plan) {   // unrelated noise per window
            float[] w = new float[s.length()];
            for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
            windows.add(w);
        }
        float[] out = CrossfadeStitcher.stitch(plan, 1, windows);
        for (int i = 0; i < plan.size(); i++) {
            WindowPlan.Span s = plan.get(i);
            long from = i > 0 ? plan.get(i - 1).end() : 0, to = i + 1 < plan.size() ? plan.get(i + 1).start() : s.end();
            for (long t = from; t < to; t++) {
                assertEquals(windows.get(i)[(int) (t - s.start())], out[(int) t], "window " + i + " alone at " + t);
            }
            if (i == 0) continue;
            int n = (int) (plan.get(i - 1).end() - s.start());
            for (int k = 0; k < n; k++) {
                double g = CrossfadeStitcher.fadeIn(k, n);
                double want = (1 - g) * windows.get(i - 1)[(int) (s.start() + k - plan.get(i - 1).start())] + g * windows.get(i)[k];
                assertEquals(want, out[(int) s.start() + k], 1e-6, "crossfade " + i + " sample " + k);
            }
        }
        assertEquals(0.5, CrossfadeStitcher.fadeIn(4, 9), 1e-15, "midpoint of an odd fade");
        assertEquals(1.0, CrossfadeStitcher.fadeIn(3, 10) + CrossfadeStitcher.fadeIn(6, 10), 1e-15, "in + out = 1");
    }

    @Test
    void noClicksBetweenOpposedWindows() {
        // windows alternately +1 and -1: the joins are the steepest possible; raised cosine limits the step to pi/n
        for (int[] p : new int[][] {{1000, 100, 10}, {1000, 100, 50}, {4801, 480, 97}}) {
            List<WindowPlan.Span> plan = WindowPlan.plan(p[0], p[1], p[2]);
            List<float[]> windows = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                float[] w = new float[plan.get(i).length()];
                Arrays.fill(w, i % 2 == 0 ? 1f : -1f);
                windows.add(w);
            }
            float[] out = CrossfadeStitcher.stitch(plan, 1, windows);
            double maxStep = 0;
            for (int t = 1; t < out.length; t++) maxStep = Math.max(maxStep, Math.abs(out[t] - out[t - 1]));
            double bound = Math.PI / p[2] + 1e-6;   // |d/dk 2 sin^2(pi/2 (k+.5)/n)| <= pi / n
            assertTrue(maxStep <= bound, "plan " + plan + ": largest step " + maxStep + " > " + bound);
            for (float x : out) assertTrue(Math.abs(x) <= 1 + 1e-6, "no overshoot: " + x);
        }
    }

    @Test
    void streamingEqualsWholeAndEmitsEarly() throws IOException {
        for (int[] p : PLANS) {
            List<WindowPlan.Span> plan = WindowPlan.plan(p[0], p[1], p[2]);
            SplittableRandom r = new SplittableRandom(p[0]);
            List<float[]> windows = new ArrayList<>();
            for (WindowPlan.Span s : plan) {
                float[] w = new float[s.length() * 2 + 3];   // 3 samples of padding before the window
                for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
                windows.add(w);
            }
            List<float[]> unpadded = windows.stream().map(w -> Arrays.copyOfRange(w, 3, w.length)).toList();
            float[] whole = CrossfadeStitcher.stitch(plan, 2, unpadded);
            assertArrayEquals(reference(plan, 2, unpadded), whole, "stitch vs direct formula, plan " + plan);

            Path file = dir.resolve("s" + p[0] + "_" + p[1] + "_" + p[2] + ".wav");
            try (WavWriter w = WavWriter.open(file, 48000, 2, Wav.Format.FLOAT32)) {
                CrossfadeStitcher st = new CrossfadeStitcher(plan, 2, w::write);
                for (int i = 0; i < plan.size(); i++) {
                    st.add(windows.get(i), 3);
                    long ready = i + 1 < plan.size() ? plan.get(i + 1).start() : plan.get(i).end();
                    assertEquals(ready, st.emitted(), "frames out after window " + i + " of " + plan);
                    assertEquals(ready, w.frames());
                }
                st.finish();
                w.finish();
            }
            assertArrayEquals(whole, Wav.read(file).samples(), "streamed to a WAV vs whole, plan " + plan);
        }
    }

    /** sum_i r_i x_i / sum_i r_i at every t, straight from the plan. */
    static float[] reference(List<WindowPlan.Span> plan, int ch, List<float[]> windows) {
        int total = (int) plan.getLast().end();
        float[] out = new float[total * ch];
        for (int t = 0; t < total; t++) {
            float den = 0;
            float[] num = new float[ch];
            for (int i = 0; i < plan.size(); i++) {
                WindowPlan.Span s = plan.get(i);
                if (t < s.start() || t >= s.end()) continue;
                double r = 1;
                if (i > 0 && t < plan.get(i - 1).end()) r *= CrossfadeStitcher.fadeIn((int) (t - s.start()), (int) (plan.get(i - 1).end() - s.start()));
                if (i + 1 < plan.size() && t >= plan.get(i + 1).start()) r *= CrossfadeStitcher.fadeIn((int) (s.end() - 1 - t), (int) (s.end() - plan.get(i + 1).start()));
                den += (float) r;
                for (int c = 0; c < ch; c++) num[c] += (float) r * windows.get(i)[(int) (t - s.start()) * ch + c];
            }
            for (int c = 0; c < ch; c++) out[t * ch + c] = num[c] / den;
        }
        return out;
    }

    @Test
    void badArguments() throws IOException {
        CrossfadeStitcher.Sink none = (x, off, n) -> { };
        List<WindowPlan.Span> plan = WindowPlan.plan(250, 100, 25);
        bad(() -> new CrossfadeStitcher(List.of(), 1, none), "non-empty plan");
        bad(() -> new CrossfadeStitcher(plan, 0, none), "channels 0");
        bad(() -> new CrossfadeStitcher(List.of(new WindowPlan.Span(5, 50)), 1, none), "does not start at 0");
        bad(() -> new CrossfadeStitcher(List.of(new WindowPlan.Span(0, 50), new WindowPlan.Span(60, 90)), 1, none), "without gaps");
        bad(() -> new CrossfadeStitcher(List.of(new WindowPlan.Span(0, 50), new WindowPlan.Span(10, 40)), 1, none), "must increase");
        CrossfadeStitcher st = new CrossfadeStitcher(plan, 2, none);
        bad(() -> st.add(new float[199], 0), "needs 100 x 2 samples from offset 0, the array has 199");
        bad(() -> st.add(new float[200], 1), "from offset 1");
        IllegalStateException e = assertThrows(IllegalStateException.class, st::finish);
        assertTrue(e.getMessage().contains("0 of 3 windows"), e.getMessage());
        for (int i = 0; i < 3; i++) st.add(new float[200], 0);
        st.finish();
        e = assertThrows(IllegalStateException.class, () -> st.add(new float[200], 0));
        assertTrue(e.getMessage().contains("all 3 windows"), e.getMessage());
        bad(() -> CrossfadeStitcher.stitch(plan, 1, List.of(new float[100])), "1 windows for a plan of 3");
    }

    private static void bad(org.junit.jupiter.api.function.Executable f, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f);
        assertTrue(e.getMessage().startsWith("CrossfadeStitcher") && e.getMessage().contains(part), e.getMessage());
    }
}
