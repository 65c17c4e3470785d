package io.foley4j.pipeline.window;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Joins windows generated separately (see {@link WindowPlan}) into one signal, crossfading where they overlap, and
 * streams finished samples out as soon as no later window can touch them: memory stays at one window whatever the
 * clip's length.
 *
 * <p>The fade is raised-cosine: over an overlap of n samples the incoming window's gain is
 * {@code g(k) = sin^2(pi/2 * (k + 0.5) / n)} and the outgoing one's {@code 1 - g(k) = cos^2(...)}. The gains sum to
 * exactly 1, so correlated content (the same sound generated twice) passes at constant level, and both gain curves
 * start and end with zero slope, so there is no click. An equal-power fade (sin/cos) would instead keep
 * uncorrelated content at constant power but raise correlated content by up to 3 dB mid-fade; with raised-cosine,
 * fully uncorrelated windows dip by up to 3 dB at the overlap's midpoint. The half-sample offset keeps every gain
 * strictly positive inside its window.
 *
 * <p>In general each window i carries the weight r_i(t) = (its fade-in) * (its fade-out), fade lengths set by the
 * overlaps with its neighbours, and the output is {@code sum_i r_i x_i / sum_i r_i}. Where two windows overlap the
 * denominator is 1 and this is the crossfade above; where three overlap (overlap more than half a window, or a last
 * window shifted back far) it stays a smooth partition of unity. Samples covered by one window pass through exactly.
 */
public final class CrossfadeStitcher {
    /** Receives finished interleaved frames; {@code WavWriter::write} fits. */
    @FunctionalInterface
    public interface Sink {
        void write(float[] samples, int off, int frames) throws IOException;
    }

    private final List<WindowPlan.Span> plan;
    private final int channels;
    private final Sink sink;
    private final float[] num;     // [maxWindow, channels] sum of r_i x_i from the current window's start
    private final float[] den;     // [maxWindow] sum of r_i
    private int next;              // index of the next window to add
    private int pending;           // frames of num/den already holding earlier windows' contributions
    private long emitted;

    /** {@code plan}: windows in order from 0, starts and ends strictly increasing, no gaps. */
    public CrossfadeStitcher(List<WindowPlan.Span> plan, int channels, Sink sink) {
        if (channels < 1 || sink == null || plan == null || plan.isEmpty()) {
            throw new IllegalArgumentException("CrossfadeStitcher: need a non-empty plan, channels >= 1 and a sink"
                    + " (plan " + (plan == null ? null : plan.size() + " windows") + ", channels " + channels + ")");
        }
        int max = 0;
        for (int i = 0; i < plan.size(); i++) {
            WindowPlan.Span s = plan.get(i), p = i > 0 ? plan.get(i - 1) : null;
            boolean ok = p == null ? s.start() == 0 : s.start() > p.start() && s.end() > p.end() && s.start() <= p.end();
            if (!ok) {
                throw new IllegalArgumentException("CrossfadeStitcher: window " + i + " " + s + (p == null
                        ? " does not start at 0" : " after " + p + ": starts and ends must increase, without gaps"));
            }
            max = Math.max(max, s.length());
        }
        if ((long) max * channels > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("CrossfadeStitcher: window of " + max + " frames x " + channels
                    + " channels does not fit an array");
        }
        this.plan = List.copyOf(plan);
        this.channels = channels;
        this.sink = sink;
        this.num = new float[max * channels];
        this.den = new float[max];
    }

    /** Raised-cosine fade-in gain of sample {@code k} of an {@code n}-sample overlap: sin^2(pi/2 (k + 0.5) / n). */
    public static double fadeIn(int k, int n) {
        double s = Math.sin(0.5 * Math.PI * (k + 0.5) / n);
        return s * s;
    }

    /**
     * Adds the next window of the plan: {@code span.length()} interleaved frames from {@code samples[off...]}, then
     * writes every frame no later window overlaps to the sink.
     */
    public void add(float[] samples, int off) throws IOException {
        if (next >= plan.size()) throw new IllegalStateException("CrossfadeStitcher.add: all " + plan.size() + " windows were added");
        WindowPlan.Span s = plan.get(next);
        int len = s.length();
        if (off < 0 || off + (long) len * channels > samples.length) {
            throw new IllegalArgumentException("CrossfadeStitcher.add: window " + next + " " + s + " needs " + len + " x "
                    + channels + " samples from offset " + off + ", the array has " + samples.length);
        }
        int in = next > 0 ? (int) (plan.get(next - 1).end() - s.start()) : 0;            // overlap with the previous
        int out = next + 1 < plan.size() ? (int) (s.end() - plan.get(next + 1).start()) : 0;   // and the next
        // the buffer starts at s.start(): everything before it was emitted after the previous window
        Arrays.fill(num, pending * channels, len * channels, 0f);
        Arrays.fill(den, pending, len, 0f);
        for (int k = 0; k < len; k++) {
            double r = 1;
            if (k < in) r *= fadeIn(k, in);
            if (k >= len - out) r *= fadeIn(len - 1 - k, out);   // = cos^2 of the next window's fade-in argument
            float w = (float) r;
            den[k] += w;
            for (int c = 0, o = k * channels, i = off + k * channels; c < channels; c++) num[o + c] += w * samples[i + c];
        }
        next++;
        int done = next < plan.size() ? (int) (plan.get(next).start() - s.start()) : len;
        for (int k = 0; k < done; k++) {
            for (int c = 0, o = k * channels; c < channels; c++) num[o + c] /= den[k];
        }
        sink.write(num, 0, done);
        emitted += done;
        pending = len - done;
        System.arraycopy(num, done * channels, num, 0, pending * channels);
        System.arraycopy(den, done, den, 0, pending);
    }

    /** Checks that every window was added (all frames are then written). */
    public void finish() {
        if (next != plan.size()) {
            throw new IllegalStateException("CrossfadeStitcher.finish: " + next + " of " + plan.size() + " windows added");
        }
    }

    /** Frames written to the sink so far. */
    public long emitted() { return emitted; }

    /** Stitches whole windows into one array (short clips; long ones should stream into a sink). */
    public static float[] stitch(List<WindowPlan.Span> plan, int channels, List<float[]> windows) {
        if (windows.size() != plan.size()) {
            throw new IllegalArgumentException("CrossfadeStitcher.stitch: " + windows.size() + " windows for a plan of "
                    + plan.size());
        }
        long total = plan.getLast().end() * channels;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("CrossfadeStitcher.stitch: " + total + " samples do not fit an array");
        }
        float[] out = new float[(int) total];
        int[] at = {0};
        CrossfadeStitcher st = new CrossfadeStitcher(plan, channels, (x, off, frames) -> {
            System.arraycopy(x, off, out, at[0], frames * channels);
            at[0] += frames * channels;
        });
        try {
            for (float[] w : windows) st.add(w, 0);
        } catch (IOException e) {
            throw new AssertionError("an array sink does not throw", e);
        }
        st.finish();
        return out;
    }
}
