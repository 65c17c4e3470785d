package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.foley.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with ETA on a terminal ({@code \r} redraws, at most 10 per second), or one line per
 * finished stage when the output is not a terminal (logs stay readable).
 */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private long stageStart, lastDraw;

    ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void begin(String stage, int total) {
        stageStart = System.nanoTime();
        lastDraw = 0;
        if (terminal) draw(stage, 0, total);
    }

    @Override
    public void step(String stage, int done, int total) {
        long now = System.nanoTime();
        if (terminal && (now - lastDraw > 100_000_000L || done == total)) {
            lastDraw = now;
            draw(stage, done, total);
        }
    }

    @Override
    public void end(String stage, double seconds) {
        if (terminal) out.print("\r\033[K");
        out.printf(Locale.ROOT, "  %-10s %7.2f s%n", stage, seconds);
        out.flush();
    }

    private void draw(String stage, int done, int total) {
        double elapsed = (System.nanoTime() - stageStart) / 1e9;
        StringBuilder sb = new StringBuilder("\r\033[K  ").append(String.format(Locale.ROOT, "%-10s ", stage));
        if (total > 0) {
            int fill = (int) ((long) WIDTH * done / total);
            sb.append('[').append("#".repeat(fill)).append(".".repeat(WIDTH - fill)).append(']');
            sb.append(String.format(Locale.ROOT, " %d/%d", done, total));
            if (done > 0 && done < total) {
                sb.append(String.format(Locale.ROOT, "  ETA %.1f s", elapsed / done * (total - done)));
            }
        } else {
            sb.append(String.format(Locale.ROOT, "%.1f s", elapsed));
        }
        out.print(sb);
        out.flush();
    }
}
