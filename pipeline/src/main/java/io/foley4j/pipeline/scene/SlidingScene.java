package io.foley4j.pipeline.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic scene with known sound events: a wooden box pushed across the floor in straight moves at constant
 * speed, with pauses between them. Each move is one sustained sound (a scrape) from its first to its last instant,
 * with strength = speed / {@link #FULL_SPEED}; the box is still, and silent, between moves.
 *
 * <p>Coordinates are in pixels of a {@code width x height} picture (floor at 0.85 of the height, as in
 * {@link BouncingScene}); speeds are in picture widths per second so the scene looks the same at any resolution.
 */
public final class SlidingScene implements EventScene {
    /** Speed (picture widths per second) of a strength-1 slide. */
    public static final double FULL_SPEED = 0.4;

    /** One move: from x0 to x1 (pixels, left edge of the box) over [start, start + duration]. */
    record Move(double start, double duration, double x0, double x1) {
        double speed() { return Math.abs(x1 - x0) / duration; }
    }

    private final int width, height;
    private final double seconds, floorY, boxW, boxH, startX;
    private final int[] colour;
    private final List<Move> moves = new ArrayList<>();

    public SlidingScene(int width, int height, double seconds, long seed) {
        Paint.checkScene("SlidingScene", width, height, seconds);
        this.width = width;
        this.height = height;
        this.seconds = seconds;
        this.floorY = height * 0.85;
        Random r = new Random(seed);
        this.boxW = width * (0.12 + 0.08 * r.nextDouble());
        this.boxH = height * (0.15 + 0.15 * r.nextDouble());
        int[][] colours = {{170, 110, 60}, {150, 90, 50}, {190, 140, 80}, {120, 80, 50}};
        this.colour = colours[r.nextInt(colours.length)];
        double lo = 0.05 * width, hi = 0.95 * width - boxW;          // the box's left edge stays in [lo, hi]
        double x = lo + (hi - lo) * r.nextDouble();
        this.startX = x;
        double t = 0.3 + 0.5 * r.nextDouble();
        while (t < seconds) {
            double speed = width * (0.08 + 0.27 * r.nextDouble());
            double dist = width * (0.15 + 0.35 * r.nextDouble());
            double dir = x - lo > hi - x ? -1 : 1;                     // towards the side with more room
            double to = Math.max(lo, Math.min(hi, x + dir * dist));
            moves.add(new Move(t, Math.abs(to - x) / speed, x, to));
            t += Math.abs(to - x) / speed + 0.4 + 0.8 * r.nextDouble();
            x = to;
        }
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public double seconds() { return seconds; }
    @Override public String kind() { return "sliding"; }

    @Override
    public List<SoundEvent> events() {
        List<SoundEvent> out = new ArrayList<>();
        for (Move m : moves) {
            double end = Math.min(seconds, m.start + m.duration);
            out.add(new SoundEvent(m.start, end - m.start, Math.min(1, m.speed() / (width * FULL_SPEED))));
        }
        return out;
    }

    /** Left edge of the box (pixels) at time t. */
    double boxX(double t) {
        double x = startX;
        for (Move m : moves) {
            if (t < m.start) break;
            x = t >= m.start + m.duration ? m.x1 : m.x0 + (m.x1 - m.x0) * (t - m.start) / m.duration;
        }
        return x;
    }

    /** True while the box moves: t inside a move's interval. */
    boolean moving(double t) {
        for (Move m : moves) if (t > m.start && t < m.start + m.duration) return true;
        return false;
    }

    @Override
    public void render(double t, byte[] rgb) {
        Paint.checkBuffer("SlidingScene", width, height, rgb);
        int w = width, h = height;
        Paint.room(rgb, w, h, (int) floorY);
        double x = boxX(t), top = floorY - boxH;
        int[] dark = {colour[0] - 50, colour[1] - 40, colour[2] - 30};
        Paint.rect(rgb, w, h, x + 3, floorY - 2, x + boxW + 3, floorY + 2, new int[] {60, 40, 30});     // shadow
        Paint.rect(rgb, w, h, x, top, x + boxW, floorY, dark);
        Paint.rect(rgb, w, h, x + 2, top + 2, x + boxW - 2, floorY - 2, colour);
        // planks: dark lines at fixed fractions of the box, so every column of the box moves with it
        for (int k = 1; k < 4; k++) {
            double y = top + k * boxH / 4;
            Paint.rect(rgb, w, h, x + 2, y - 1, x + boxW - 2, y + 1, dark);
        }
        Paint.segment(rgb, w, h, x + 3, top + 3, x + boxW - 3, floorY - 3, 3, dark);                     // brace
    }
}
