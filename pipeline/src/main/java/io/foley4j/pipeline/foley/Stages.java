package io.foley4j.pipeline.foley;

import java.util.ArrayList;
import java.util.List;

/** Times the stages of one generation and notes the peak RSS reached in each (process-wide: see {@link Rss}). */
public final class Stages {
    private final Progress progress;
    private final List<StageTiming> done = new ArrayList<>();
    private final boolean resetPeak;
    private String current;
    private long start;

    /** {@code resetPeak}: reset the kernel's peak counter per stage (only when one generation runs at a time). */
    public Stages(Progress progress, boolean resetPeak) {
        this.progress = progress;
        this.resetPeak = resetPeak;
    }

    public void begin(String stage, int total) {
        if (current != null) end();
        current = stage;
        if (resetPeak) Rss.resetPeak();
        start = System.nanoTime();
        progress.begin(stage, total);
    }

    public void step(int doneUnits, int total) {
        progress.step(current, doneUnits, total);
    }

    public void end() {
        endExcluding(0);
    }

    /** Ends the current stage, not counting {@code seconds} spent in work reported separately by {@link #add}. */
    public void endExcluding(double seconds) {
        double s = (System.nanoTime() - start) / 1e9 - seconds;
        done.add(new StageTiming(current, s, Rss.peakBytes()));
        progress.end(current, s);
        current = null;
    }

    /** A stage measured by the caller (e.g. model time interleaved with decoding). */
    public void add(String stage, double seconds) {
        if (current != null) end();
        done.add(new StageTiming(stage, seconds, Rss.peakBytes()));
        progress.end(stage, seconds);
    }

    public List<StageTiming> timings() {
        if (current != null) end();
        return List.copyOf(done);
    }

    public long peak() {
        long p = -1;
        for (StageTiming t : done) p = Math.max(p, t.peakRssBytes());
        return p;
    }
}
