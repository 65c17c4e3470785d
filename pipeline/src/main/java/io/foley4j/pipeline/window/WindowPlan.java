package io.foley4j.pipeline.window;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a clip longer than the model's window into overlapping windows. Windows advance by
 * {@code hop = window - overlap}; the last one is shifted back to end exactly at the clip's end rather than being
 * shortened, so every window but a lone one (clip shorter than a window) has exactly {@code window} samples and
 * every overlap is {@code overlap}, except the last, which is at least that and less than {@code window}.
 * Positions are sample frames (one sample per channel).
 */
public final class WindowPlan {
    private WindowPlan() {}

    /** Samples {@code [start, end)} of the clip. */
    public record Span(long start, long end) {
        public Span {
            if (start < 0 || end <= start) throw new IllegalArgumentException("Span: illegal [" + start + ", " + end + ")");
        }

        public int length() { return Math.toIntExact(end - start); }
    }

    /** The windows covering {@code [0, totalSamples)}, in order. */
    public static List<Span> plan(long totalSamples, int windowSamples, int overlapSamples) {
        if (totalSamples <= 0 || windowSamples <= 0 || overlapSamples < 0 || overlapSamples >= windowSamples) {
            throw new IllegalArgumentException("WindowPlan.plan: total " + totalSamples + ", window " + windowSamples
                    + ", overlap " + overlapSamples + ": need total > 0, window > 0 and 0 <= overlap < window");
        }
        List<Span> out = new ArrayList<>();
        if (totalSamples <= windowSamples) {
            out.add(new Span(0, totalSamples));
            return out;
        }
        long hop = windowSamples - overlapSamples;
        long n = (totalSamples - windowSamples + hop - 1) / hop + 1;   // fewest windows: (n-1) hops + window >= total
        for (long i = 0; i < n - 1; i++) out.add(new Span(i * hop, i * hop + windowSamples));
        out.add(new Span(totalSamples - windowSamples, totalSamples));
        return out;
    }
}
