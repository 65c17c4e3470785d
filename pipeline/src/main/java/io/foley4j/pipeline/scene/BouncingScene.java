package io.foley4j.pipeline.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic scene with known sound events: balls dropped one after another onto a floor, bouncing with a
 * restitution below one until they rest, then lifted away. Every floor contact time is computed exactly from the
 * physics (not from the pictures), so a motion-event detector can be scored against it.
 *
 * <p>Coordinates are in pixels of a {@code width x height} picture; time in seconds; gravity is scaled to the
 * picture height so a drop from the top takes about 0.6 s whatever the resolution.
 */
public final class BouncingScene implements EventScene {
    /** One floor contact: when, where (x, as a fraction of the width) and how hard (impact speed, 0..1). */
    public record Contact(double time, double x, double strength) {}

    /** One ball: dropped at {@code start} from {@code dropHeight} (fraction of the floor height), at x fraction. */
    record Ball(double start, double x, double dropHeight, double radius, double restitution, int[] rgb) {}

    private final int width, height;
    private final double seconds, floorY, g;
    private final List<Ball> balls = new ArrayList<>();

    public BouncingScene(int width, int height, double seconds, long seed) {
        if (width < 32 || height < 32 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("BouncingScene: size must be even and >= 32, got " + width + "x" + height);
        }
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException("BouncingScene: seconds must be in (0, 3600], got " + seconds);
        }
        this.width = width;
        this.height = height;
        this.seconds = seconds;
        this.floorY = height * 0.85;
        this.g = floorY / (0.5 * 0.6 * 0.6);      // full drop from y = 0 lasts 0.6 s
        Random r = new Random(seed);
        int[][] colours = {{220, 60, 40}, {40, 90, 210}, {60, 170, 70}, {230, 190, 40}};
        double t = 0.3;
        while (t < seconds) {
            double x = 0.1 + 0.8 * r.nextDouble();
            double drop = 0.35 + 0.6 * r.nextDouble();
            double e = 0.45 + 0.25 * r.nextDouble();
            balls.add(new Ball(t, x, drop, height * (0.04 + 0.03 * r.nextDouble()), e, colours[balls.size() % 4]));
            t += 1.2 + 1.6 * r.nextDouble();
        }
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public double seconds() { return seconds; }
    @Override public String kind() { return "bouncing"; }

    /** {@link #contacts()} as impacts. */
    @Override
    public List<SoundEvent> events() {
        List<SoundEvent> out = new ArrayList<>();
        for (Contact c : contacts()) out.add(SoundEvent.impact(c.time, c.strength));
        return out;
    }

    /** Every floor contact before the end, in time order. */
    public List<Contact> contacts() {
        List<Contact> out = new ArrayList<>();
        for (Ball b : balls) {
            double h = b.dropHeight * (floorY - b.radius);
            double v0 = Math.sqrt(2 * g * h);
            double t = b.start + Math.sqrt(2 * h / g);
            double v = v0;
            while (t < Math.min(seconds, b.start + lifetime(b)) && v > 0.12 * v0) {
                out.add(new Contact(t, b.x, v / Math.sqrt(2 * g * floorY)));
                v *= b.restitution;
                t += 2 * v / g;
            }
        }
        out.sort((a, c) -> Double.compare(a.time, c.time));
        return out;
    }

    /** Seconds a ball stays in the picture: until its bounces die out, plus a short rest. */
    private double lifetime(Ball b) {
        double h = b.dropHeight * (floorY - b.radius);
        double v0 = Math.sqrt(2 * g * h);
        double t = Math.sqrt(2 * h / g), v = v0;
        while (v > 0.12 * v0) {
            v *= b.restitution;
            t += 2 * v / g;
        }
        return t + 0.25;
    }

    /** Height of ball b's bottom above the floor at time t, or NaN when it is not in the picture. */
    private double elevation(Ball b, double t) {
        double dt = t - b.start;
        if (dt < 0 || dt > lifetime(b)) return Double.NaN;
        double h = b.dropHeight * (floorY - b.radius);
        double v0 = Math.sqrt(2 * g * h);
        double tc = Math.sqrt(2 * h / g);
        if (dt < tc) return h - 0.5 * g * dt * dt;
        dt -= tc;
        double v = v0 * b.restitution;
        while (v > 0.12 * v0) {
            double flight = 2 * v / g;
            if (dt < flight) return v * dt - 0.5 * g * dt * dt;
            dt -= flight;
            v *= b.restitution;
        }
        return 0;
    }

    /** Draws the scene at time t as 8-bit RGB, interleaved row-major: {@code rgb[(y * width + x) * 3 + c]}. */
    @Override
    public void render(double t, byte[] rgb) {
        int w = width, h = height, floor = (int) floorY;
        if (rgb.length != w * h * 3) {
            throw new IllegalArgumentException("BouncingScene.render: rgb has " + rgb.length + " bytes, need " + w * h * 3);
        }
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int i = (row * w + col) * 3;
                if (row < floor) {                  // wall: vertical gradient with a faint checker
                    int c = 150 + (row * 60) / floor + ((col / 40 + row / 40) & 1) * 6;
                    rgb[i] = (byte) (c - 20);
                    rgb[i + 1] = (byte) (c - 10);
                    rgb[i + 2] = (byte) c;
                } else {                            // floor: textured brown
                    int c = 70 + (col * 13 + row * 7) % 11;
                    rgb[i] = (byte) (c + 40);
                    rgb[i + 1] = (byte) (c + 15);
                    rgb[i + 2] = (byte) c;
                }
            }
        }
        for (Ball b : balls) {
            double e = elevation(b, t);
            if (Double.isNaN(e)) continue;
            Paint.disc(rgb, width, height, b.x * w, floorY - b.radius - e, b.radius, b.rgb);
        }
    }
}
