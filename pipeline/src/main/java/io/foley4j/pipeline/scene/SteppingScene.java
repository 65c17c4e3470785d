package io.foley4j.pipeline.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic scene with known sound events: a figure walks along the floor in bouts of steps, standing still
 * between them. Each footfall (the swinging foot touching the floor) is an impact at an exactly known time, with
 * strength = touchdown speed in picture heights per second (capped at 1).
 *
 * <p>A bout of n steps at period T starts with the feet together at x0: footfall k (k = 1..n+1) is at start + kT at
 * p_k = x0 + dir * s * min(k, n), the foot landing there having left p_{k-2} at start + (k-1)T (the last step closes
 * the feet, with half the lift); the hip moves at s / T while footfalls 1..n happen, then stands.
 */
public final class SteppingScene implements EventScene {
    /** One bout: n steps of length s (pixels) and period T (seconds) from x0 in direction dir (+1 right, -1 left). */
    record Bout(double start, double x0, int dir, int n, double period, double stride) {
        double end() { return start + (n + 1) * period; }
        double landing(int k) { return x0 + dir * stride * Math.max(0, Math.min(k, n)); }
    }

    private final int width, height;
    private final double seconds, floorY, leg, lift;
    private final int[] shirt;
    private final List<Bout> bouts = new ArrayList<>();
    private final double startX;

    public SteppingScene(int width, int height, double seconds, long seed) {
        Paint.checkScene("SteppingScene", width, height, seconds);
        this.width = width;
        this.height = height;
        this.seconds = seconds;
        this.floorY = height * 0.85;
        this.leg = height * 0.22;
        Random r = new Random(seed);
        this.lift = height * (0.04 + 0.05 * r.nextDouble());
        double stride = leg * (0.35 + 0.25 * r.nextDouble());
        int[][] shirts = {{200, 60, 60}, {60, 120, 200}, {70, 160, 80}, {220, 170, 40}};
        this.shirt = shirts[r.nextInt(shirts.length)];
        double x = width * (0.3 + 0.4 * r.nextDouble());
        this.startX = x;
        double t = 0.3 + 0.4 * r.nextDouble();
        while (t < seconds) {
            double period = 0.35 + 0.25 * r.nextDouble();
            int dir = r.nextBoolean() ? 1 : -1;
            if ((dir > 0 ? 0.9 * width - x : x - 0.1 * width) < 3 * stride) dir = -dir;
            int most = (int) ((dir > 0 ? 0.9 * width - x : x - 0.1 * width) / stride);
            int n = Math.min(most, 3 + r.nextInt(6));
            Bout b = new Bout(t, x, dir, n, period, stride);
            bouts.add(b);
            x = b.landing(n);
            t = b.end() + 0.4 + 0.6 * r.nextDouble();
        }
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public double seconds() { return seconds; }
    @Override public String kind() { return "stepping"; }

    @Override
    public List<SoundEvent> events() {
        List<SoundEvent> out = new ArrayList<>();
        for (Bout b : bouts) {
            for (int k = 1; k <= b.n + 1; k++) {
                double t = b.start + k * b.period;
                if (t >= seconds) break;
                double touchdown = Math.PI * stepLift(b, k) / b.period;          // d/dt of lift * sin(pi * phase) at 1
                out.add(SoundEvent.impact(t, Math.min(1, touchdown / height)));
            }
        }
        return out;
    }

    private double stepLift(Bout b, int k) {
        return k == b.n + 1 ? lift / 2 : lift;
    }

    /** Foot {@code f} (0 or 1) at time t: {x, elevation above the floor} in pixels. */
    double[] foot(int f, double t) {
        Bout b = boutAt(t);
        if (b == null) return new double[] {standingX(t), 0};
        double u = (t - b.start) / b.period;
        int k = Math.max(1, (int) Math.ceil(u));                // the step under way: (k-1)T < t - start <= kT
        double phase = u - (k - 1);
        if (k % 2 != f) return new double[] {b.landing(k - 1), 0};
        double from = b.landing(k - 2), to = b.landing(k);
        return new double[] {from + (to - from) * (1 - Math.cos(Math.PI * phase)) / 2,
                stepLift(b, k) * Math.sin(Math.PI * phase)};
    }

    double hipX(double t) {
        Bout b = boutAt(t);
        if (b == null) return standingX(t);
        return b.x0 + b.dir * b.stride / b.period * Math.min(t - b.start, b.n * b.period);
    }

    private Bout boutAt(double t) {
        for (Bout b : bouts) if (t > b.start && t < b.end()) return b;
        return null;
    }

    /** Where the figure stands (feet together) between bouts. */
    private double standingX(double t) {
        double x = startX;
        for (Bout b : bouts) if (t >= b.end()) x = b.landing(b.n);
        return x;
    }

    @Override
    public void render(double t, byte[] rgb) {
        Paint.checkBuffer("SteppingScene", width, height, rgb);
        int w = width, h = height;
        Paint.room(rgb, w, h, (int) floorY);
        double hx = hipX(t), hy = floorY - leg, thick = Math.max(2, h * 0.035);
        int[] trousers = {40, 45, 90}, shoes = {30, 25, 20}, skin = {230, 190, 160};
        for (int f = 0; f < 2; f++) {
            double[] p = foot(f, t);
            double ankle = floorY - p[1] - thick;
            Paint.segment(rgb, w, h, hx, hy, p[0], ankle, thick, trousers);
            Paint.rect(rgb, w, h, p[0] - thick, ankle, p[0] + 1.5 * thick, floorY - p[1], shoes);
        }
        Paint.rect(rgb, w, h, hx - 0.045 * h, hy - 0.2 * h, hx + 0.045 * h, hy + thick / 2, shirt);
        Paint.disc(rgb, w, h, hx, hy - 0.25 * h, 0.05 * h, skin);
    }
}
